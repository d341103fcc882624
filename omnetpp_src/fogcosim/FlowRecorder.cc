// SPDX-License-Identifier: MIT
// fogcosim: per-flow message statistics (see FlowRecorder.ned).
#include "FlowRecorder.h"

#include <algorithm>
#include <cstring>
#include <sstream>

using namespace omnetpp;

namespace fogcosim {

Define_Module(FlowRecorder);

FlowRecorder::~FlowRecorder()
{
    for (auto& loop : loops) {
        delete loop.rtts;
        delete loop.vector;
    }
    for (auto& flow : flows) {
        delete flow.delays;
        delete flow.vector;
        delete flow.dropVector;
        delete flow.dropAtVector;
    }
}

void FlowRecorder::initialize()
{
    std::istringstream entries(par("flows").stdstringValue());
    std::string entry;
    bool recordVectors = par("recordVectors");
    while (std::getline(entries, entry, ';')) {
        std::istringstream fields(entry);
        Flow flow;
        long long deadlinePs = -1;
        std::string path;
        if (!(fields >> flow.name >> flow.chunks >> deadlinePs))
            continue;
        if (fields >> path) {
            std::istringstream hops(path);
            std::string hop;
            while (std::getline(hops, hop, ','))
                flow.path.push_back(std::atoi(hop.c_str()));
        }
        if (deadlinePs >= 0)
            flow.deadline = SimTime(deadlinePs, SIMTIME_PS);
        flow.delays = new cHistogram("histogram");
        if (recordVectors)
            flow.vector = newVector(flow.name + ":delay:vector", "message delay", "s");
        flow.dropVector = newVector(flow.name + ":dropped:vector", "dropped message");
        flow.dropAtVector = newVector(flow.name + ":droppedAt:vector", "dropped at link direction");
        flowIndex[flow.name] = flows.size();
        flows.push_back(flow);
    }
    std::istringstream loopEntries(par("loops").stdstringValue());
    while (std::getline(loopEntries, entry, ';')) {
        std::istringstream fields(entry);
        std::string request, reply;
        long long deadlinePs = -1;
        if (!(fields >> request >> reply >> deadlinePs))
            continue;
        Loop loop;
        loop.request = flowIndex.at(request);
        loop.reply = flowIndex.at(reply);
        if (deadlinePs >= 0)
            loop.deadline = SimTime(deadlinePs, SIMTIME_PS);
        loop.rtts = new cHistogram("histogram");
        if (recordVectors)
            loop.vector = newVector(request + ":rtt:vector", "loop round trip", "s");
        loopOfFlow[loop.request] = loopOfFlow[loop.reply] = loops.size();
        loops.push_back(loop);
    }
    std::istringstream interfaces(par("interfaces").stdstringValue());
    std::string path;
    std::string prefix = getSimulation()->getSystemModule()->getFullPath() + ".";
    for (int i = 0; interfaces >> path; i++)
        interfaceIndex[prefix + path] = i;
    sentSignal = registerSignal("packetSent");
    receivedSignal = registerSignal("packetReceived");
    droppedSignal = registerSignal("packetDropped");
    pulledSignal = registerSignal("packetPulled");
    cModule *network = getSimulation()->getSystemModule();
    network->subscribe(sentSignal, this);
    network->subscribe(receivedSignal, this);
    network->subscribe(droppedSignal, this);
    recordWaits = par("recordWaits");
    if (recordWaits)
        network->subscribe(pulledSignal, this);
}

cOutVector *FlowRecorder::newVector(const std::string& name, const char *title, const char *unit)
{
    auto vector = new cOutVector(name.c_str());
    if (unit != nullptr)
        vector->setUnit(unit);
    vector->setInterpolationMode(cOutVector::NONE);
    vector->setAttribute("recordingmode", "vector");
    vector->setAttribute("title", title);
    // register now: a vector registers under the module in context at its first
    // record, which would be the module whose signal we are handling
    vector->registerVector();
    return vector;
}

int FlowRecorder::dropLocation(cComponent *source) const
{
    // the dropping queue sits inside an interface (eth[i].queue, or its per-level queues)
    for (cModule *m = dynamic_cast<cModule *>(source); m != nullptr; m = m->getParentModule()) {
        auto found = interfaceIndex.find(m->getFullPath());
        if (found != interfaceIndex.end())
            return found->second;
    }
    return -1;
}

void FlowRecorder::recordWait(cComponent *source, cPacket *packet)
{
    // the queues that hold frames: an interface's FIFO, or each level's queue under strict
    // priority (not the compound PriorityQueue around them, which reports the same pulls)
    if (strcmp(source->getClassName(), "inet::queueing::PacketQueue") != 0)
        return;
    if (simTime() < getSimulation()->getWarmupPeriod())
        return;
    Name name = parse(packet->getName());
    if (name.flow < 0)
        return;
    Flow& flow = flows[name.flow];
    int where = dropLocation(source);
    auto hop = std::find(flow.path.begin(), flow.path.end(), where);
    if (hop == flow.path.end())
        return;
    simtime_t wait = simTime() - packet->getArrivalTime();
    Flow::Wait& w = flow.hopWaits[(int)(hop - flow.path.begin())];
    if (w.frames == 0 || wait > w.longest)
        w.longest = wait;
    w.frames++;
    w.total += wait;
}

void FlowRecorder::handleMessage(cMessage *msg)
{
    throw cRuntimeError("FlowRecorder takes no messages");
}

FlowRecorder::Name FlowRecorder::parse(const char *name) const
{
    Name out;
    std::string text(name);
    size_t frag = text.find("-frag");
    if (frag != std::string::npos)
        text.erase(frag);
    size_t dash = text.rfind('-');
    size_t first = text.find('_');
    if (dash == std::string::npos || first == std::string::npos || dash < first)
        return out;
    size_t last = text.rfind('_', dash);
    if (last == std::string::npos || last <= first)
        return out;
    auto it = flowIndex.find(text.substr(first + 1, last - first - 1));
    if (it == flowIndex.end())
        return out;
    out.flow = it->second;
    out.chunk = std::atoi(text.c_str() + last + 1);
    out.message = std::atol(text.c_str() + dash + 1);
    return out;
}

void FlowRecorder::loopMessageDone(int flow, long n, bool delivered)
{
    auto found = loopOfFlow.find(flow);
    if (found == loopOfFlow.end())
        return;
    Loop& loop = loops[found->second];
    if (delivered && flow != loop.reply)
        return;  // a request arrived: the loop goes on
    auto open = loop.started.find(n);
    if (open == loop.started.end())
        return;  // a loop of a request sent in the warm-up, or already lost
    if (delivered) {  // the reply closes the loop
        simtime_t rtt = simTime() - open->second;
        loop.completed++;
        loop.rtts->collect(rtt);
        if (loop.vector)
            loop.vector->record(rtt);
        if (loop.deadline >= SIMTIME_ZERO && rtt > loop.deadline)
            loop.late++;
    }
    else
        loop.lost++;  // the request or its reply was dropped
    loop.started.erase(open);
}

void FlowRecorder::resolveChunk(std::pair<int, long> key, Message& message)
{
    if (--message.chunksLeft == 0) {
        Flow& flow = flows[key.first];
        if (!message.dropped && message.counted) {
            simtime_t delay = simTime() - message.created;
            flow.delivered++;
            flow.delays->collect(delay);
            if (flow.vector)
                flow.vector->record(delay);
            if (flow.deadline >= SIMTIME_ZERO && delay > flow.deadline)
                flow.late++;
        }
        if (!message.dropped)
            loopMessageDone(key.first, key.second, true);
        open.erase(key);
    }
}

void FlowRecorder::receiveSignal(cComponent *source, simsignal_t signalID, cObject *obj,
                                 cObject *details)
{
    auto packet = dynamic_cast<cPacket *>(obj);
    if (packet == nullptr)
        return;
    if (signalID == pulledSignal) {
        recordWait(source, packet);
        return;
    }
    bool fromApp = strcmp(source->getName(), "app") == 0;
    if (signalID != droppedSignal && !fromApp)
        return;  // lower layers emit packetSent/packetReceived for the same packets
    Name name = parse(packet->getName());
    if (name.flow < 0)
        return;
    std::pair<int, long> key(name.flow, name.message);
    Flow& flow = flows[name.flow];
    auto found = open.find(key);
    if (signalID == sentSignal) {
        if (found == open.end()) {  // the message's first chunk: all are sent at once
            Message message;
            message.created = simTime();
            message.chunksLeft = flow.chunks;
            message.counted = simTime() >= getSimulation()->getWarmupPeriod();
            if (message.counted) {
                flow.sent++;
                auto loop = loopOfFlow.find(name.flow);
                if (loop != loopOfFlow.end() && loops[loop->second].request == name.flow)
                    loops[loop->second].started[name.message] = simTime();  // a loop starts
            }
            open[key] = message;
        }
        return;
    }
    if (found == open.end())
        return;  // a late frame of a message already resolved
    Message& message = found->second;
    if (signalID == receivedSignal) {
        resolveChunk(key, message);
    }
    else if (message.droppedChunks.insert(name.chunk).second) {  // this datagram's first loss
        if (!message.dropped) {
            message.dropped = true;
            if (message.counted) {
                flow.dropped++;
                flow.dropVector->record(name.message);
                flow.dropAtVector->record(dropLocation(source));
            }
            loopMessageDone(name.flow, name.message, false);
        }
        resolveChunk(key, message);  // the datagram will never reach its sink
    }
}

void FlowRecorder::finish()
{
    // messages still in flight: their age now, per flow (censored, no delay known)
    std::vector<long> overdue(flows.size(), 0), aged(flows.size(), 0);
    std::vector<simtime_t> ageMax(flows.size(), SIMTIME_ZERO), ageSum(flows.size(), SIMTIME_ZERO);
    for (auto& entry : open) {
        const Message& message = entry.second;
        if (!message.counted || message.dropped)
            continue;
        int f = entry.first.first;
        simtime_t age = simTime() - message.created;
        aged[f]++;
        ageSum[f] += age;
        if (age > ageMax[f])
            ageMax[f] = age;
        if (flows[f].deadline >= SIMTIME_ZERO && age > flows[f].deadline)
            overdue[f]++;
    }
    for (auto& loop : loops) {
        std::string prefix = flows[loop.request].name + ":";
        long overdue = 0;
        for (auto& open : loop.started)
            if (loop.deadline >= SIMTIME_ZERO && simTime() - open.second > loop.deadline)
                overdue++;
        recordScalar((prefix + "loopCompleted:count").c_str(), loop.completed);
        recordScalar((prefix + "loopLost:count").c_str(), loop.lost);
        recordScalar((prefix + "loopPending:count").c_str(), (long)loop.started.size());
        long misses = loop.deadline >= SIMTIME_ZERO ? loop.late + loop.lost + overdue : 0;
        recordScalar((prefix + "loopMisses:count").c_str(), misses);
        opp_string_map attributes;
        attributes["interpolationmode"] = "none";
        attributes["recordingmode"] = "histogram";
        attributes["title"] = "loop round trip";
        attributes["unit"] = "s";
        getEnvir()->recordStatistic(this, (prefix + "rtt:histogram").c_str(), loop.rtts,
                                    &attributes);
    }
    for (size_t f = 0; f < flows.size(); f++) {
        auto& flow = flows[f];
        std::string prefix = flow.name + ":";
        recordScalar((prefix + "sent:count").c_str(), flow.sent);
        recordScalar((prefix + "delivered:count").c_str(), flow.delivered);
        recordScalar((prefix + "dropped:count").c_str(), flow.dropped);
        recordScalar((prefix + "inFlight:count").c_str(), flow.sent - flow.delivered - flow.dropped);
        recordScalar((prefix + "inFlightOverdue:count").c_str(), overdue[f]);
        long misses = flow.deadline >= SIMTIME_ZERO ? flow.late + flow.dropped + overdue[f] : 0;
        recordScalar((prefix + "deadlineMisses:count").c_str(), misses);
        for (auto& entry : flow.hopWaits) {
            std::string hop = prefix + "hop" + std::to_string(entry.first) + "Wait:";
            recordScalar((hop + "count").c_str(), entry.second.frames);
            recordScalar((hop + "mean").c_str(), entry.second.total.dbl() / entry.second.frames);
            recordScalar((hop + "max").c_str(), entry.second.longest.dbl());
        }
        if (aged[f] > 0) {
            recordScalar((prefix + "inFlightAge:max").c_str(), ageMax[f].dbl());
            recordScalar((prefix + "inFlightAge:mean").c_str(), ageSum[f].dbl() / aged[f]);
        }
        opp_string_map attributes;
        attributes["interpolationmode"] = "none";
        attributes["recordingmode"] = "histogram";
        attributes["title"] = "message delay";
        attributes["unit"] = "s";
        getEnvir()->recordStatistic(this, (prefix + "delay:histogram").c_str(), flow.delays,
                                    &attributes);
    }
}

}  // namespace fogcosim
