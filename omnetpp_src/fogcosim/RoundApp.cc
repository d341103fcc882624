// SPDX-License-Identifier: MIT
// fogcosim: one side of a distributed-training round protocol (see RoundApp.ned).
// The state machine mirrors simulation/embedded/roundapp.py line for line.
#include "RoundApp.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "inet/common/ModuleAccess.h"
#include "inet/common/Simsignals.h"
#include "inet/common/TimeTag_m.h"
#include "inet/common/packet/Packet.h"
#include "inet/common/packet/chunk/ByteCountChunk.h"
#include "inet/networklayer/common/L3AddressResolver.h"
#include "inet/transportlayer/contract/tcp/TcpCommand_m.h"

using namespace omnetpp;
using namespace inet;

namespace fogcosim {

Define_Module(RoundApp);

static const long MAX_UDP_PAYLOAD = 65507;

void RoundApp::initialize(int initStage)
{
    ApplicationBase::initialize(initStage);
    if (initStage != INITSTAGE_LOCAL)
        return;
    isCloud = strcmp(par("role").stringValue(), "cloud") == 0;
    fogIndex = par("fogIndex");
    cloudName = par("cloud").stdstringValue();
    port = par("port");
    policy = par("policy").stdstringValue();
    quorum = par("quorum");
    long long deadlinePs = par("roundDeadlinePs").intValue();
    roundDeadline = deadlinePs >= 0 ? SimTime(deadlinePs, SIMTIME_PS) : SimTime::ZERO;
    batchPeriod = SimTime(par("batchPeriodPs").intValue(), SIMTIME_PS);
    rounds = par("rounds");
    tcp = strcmp(par("transport").stringValue(), "tcp") == 0;
    long long stallPs = par("stallTimeoutPs").intValue();
    stallTimeout = stallPs >= 0 ? SimTime(stallPs, SIMTIME_PS) : SimTime(-1);
    {
        std::istringstream names(par("fogNodes").stdstringValue());
        std::string name;
        while (names >> name)
            fogNodes.push_back(name);
    }
    {
        std::istringstream entries(par("stages").stdstringValue());
        std::string entry;
        while (std::getline(entries, entry, ';')) {
            std::istringstream fields(entry);
            Stage s;
            long long fixedPs, perFnPs;
            int toAll;
            if (!(fields >> s.upKind >> s.upBytes >> fixedPs >> perFnPs >> s.downKind >> s.downBytes >> toAll))
                throw cRuntimeError("bad stages entry '%s'", entry.c_str());
            if (s.downKind == "-")
                s.downKind.clear();
            s.cloudFixed = SimTime(fixedPs, SIMTIME_PS);
            s.cloudPerFn = SimTime(perFnPs, SIMTIME_PS);
            s.downToAll = toAll != 0;
            stages.push_back(s);
        }
    }
    {
        std::istringstream times(par("fogBeforePs").stdstringValue());
        long long ps;
        while (times >> ps)
            fogBefore.push_back(SimTime(ps, SIMTIME_PS));
    }
    {
        std::istringstream factors(par("computeFactorsPpm").stdstringValue());
        long long ppm;
        while (factors >> ppm)
            computeFactors.push_back(ppm);
    }
    for (int j = 0; j < (int)stages.size(); j++) {
        for (int i = 0; i < (int)fogNodes.size(); i++) {
            routes[flowName(j, true, i)] = Route{j, true, i};
            if (!stages[j].downKind.empty())
                routes[flowName(j, false, i)] = Route{j, false, i};
        }
    }
    inbound.resize(isCloud ? fogNodes.size() : 1);
    if (isCloud) {
        fogSockets.assign(fogNodes.size(), nullptr);
        pendingWrites.resize(fogNodes.size());
        initVector(uploadVector, "roundUpload");
        initVector(aggregatedVector, "roundAggregated");
        initVector(cloudComputeVector, "roundCloudCompute");
        initVector(doneVector, "roundDone");
    }
    else {
        if (fogIndex < 0 || fogIndex >= (int)fogNodes.size() || fogBefore.size() != stages.size())
            throw cRuntimeError("fog node app needs fogIndex and one fogBeforePs per stage");
        initVector(roundStartVector, "roundStart");
        initVector(fogComputeVector, "roundFogCompute");
        initVector(downloadVector, "roundDownload");
    }
    initVector(stallVector, "roundStall");
}

void RoundApp::initVector(cOutVector& vector, const char *name)
{
    vector.setName((std::string(name) + ":vector").c_str());
    vector.setInterpolationMode(cOutVector::NONE);
    vector.setAttribute("recordingmode", "vector");
    vector.setAttribute("title", name);
    vector.setRecordDuringWarmupPeriod(true);
    vector.registerVector();
}

void RoundApp::handleStartOperation(LifecycleOperation *operation)
{
    if (tcp) {  // the connections are opened first, as a training stack opens its channel
        tcpSocket.setOutputGate(gate("socketOut"));
        tcpSocket.setCallback(this);
        if (isCloud) {
            tcpSocket.bind(port);
            tcpSocket.listen();  // forking: a connection per FN
        }
        else
            tcpSocket.connect(L3AddressResolver().resolve(cloudName.c_str()), port);
    }
    else {
        socket.setOutputGate(gate("socketOut"));
        socket.bind(port);
        socket.setCallback(this);
    }
    if (isCloud)
        openRound();
    else
        schedule(SIMTIME_ZERO, START, 0);  // like UdpBasicApp: start in an event of its own
}

RoundApp::~RoundApp()
{
    cancelAndDelete(fogTimer);
    for (auto& writes : pendingWrites)
        for (auto packet : writes)
            delete packet;
    tcpSockets.deleteSockets();
}

cMessage *RoundApp::schedule(simtime_t at, int kind, int data)
{
    auto timer = new cMessage("roundTimer", kind);
    timer->setContextPointer(reinterpret_cast<void *>(static_cast<intptr_t>(data)));
    scheduleAt(at, timer);
    return timer;
}

void RoundApp::handleMessageWhenUp(cMessage *msg)
{
    if (msg->isSelfMessage()) {
        int kind = msg->getKind();
        int data = static_cast<int>(reinterpret_cast<intptr_t>(msg->getContextPointer()));
        if (msg == fogTimer)
            fogTimer = nullptr;
        delete msg;
        onTimer(kind, data);
    }
    else if (!tcp)
        socket.processMessage(msg);
    else if (tcpSocket.belongsToSocket(msg))
        tcpSocket.processMessage(msg);
    else if (auto accepted = tcpSockets.findSocketFor(msg))
        accepted->processMessage(msg);
    else
        delete msg;
}

std::string RoundApp::flowName(int s, bool up, int fog) const
{
    return (up ? stages[s].upKind : stages[s].downKind) + "_" + fogNodes[fog];
}

void RoundApp::sendMessage(const std::string& dst, int s, bool up, int fog, int rnd)
{
    std::string flow = flowName(s, up, fog);
    long size = up ? stages[s].upBytes : stages[s].downBytes;
    auto found = addresses.find(dst);
    if (found == addresses.end())
        found = addresses.emplace(dst, L3AddressResolver().resolve(dst.c_str())).first;
    if (tcp) {
        std::ostringstream name;
        name << "ml_" << flow << "_0-" << rnd;
        writeMessage(s, up, fog, rnd, size, name.str());
        return;
    }
    long count = (size + MAX_UDP_PAYLOAD - 1) / MAX_UDP_PAYLOAD;
    for (long k = 0; k < count; k++) {
        long bytes = k < count - 1 ? MAX_UDP_PAYLOAD : size - MAX_UDP_PAYLOAD * (count - 1);
        std::ostringstream name;
        name << "ml_" << flow << "_" << k << "-" << rnd;
        auto packet = new Packet(name.str().c_str());
        auto payload = makeShared<ByteCountChunk>(B(bytes));
        payload->addTag<CreationTimeTag>()->setCreationTime(simTime());
        packet->insertAtBack(payload);
        emit(packetSentSignal, packet);
        socket.sendTo(packet, found->second, port);
    }
}

void RoundApp::socketDataArrived(UdpSocket *, Packet *packet)
{
    emit(packetReceivedSignal, packet);
    std::string text(packet->getName());
    delete packet;
    size_t frag = text.find("-frag");
    if (frag != std::string::npos)
        text.erase(frag);
    size_t dash = text.rfind('-');
    size_t last = text.rfind('_', dash);
    if (text.compare(0, 3, "ml_") != 0 || dash == std::string::npos || last == std::string::npos)
        return;
    std::string flow = text.substr(3, last - 3);
    auto route = routes.find(flow);
    if (route == routes.end())
        return;
    long rnd = std::atol(text.c_str() + dash + 1);
    const Stage& s = stages[route->second.stage];
    long size = route->second.up ? s.upBytes : s.downBytes;
    int needed = (int)((size + MAX_UDP_PAYLOAD - 1) / MAX_UDP_PAYLOAD);
    auto key = std::make_pair(flow, rnd);
    if (++chunks[key] < needed)
        return;
    chunks.erase(key);
    onMessage(route->second.stage, route->second.up, route->second.fog, (int)rnd);
}

void RoundApp::socketErrorArrived(UdpSocket *, Indication *indication)
{
    delete indication;
}

// ---- TCP: one connection per FN; message boundaries registered with the receiver

RoundApp *RoundApp::peerApp(int fog)
{
    if (!isCloud) {
        if (cloudApp == nullptr)
            cloudApp = check_and_cast<RoundApp *>(getModuleByPath(par("cloudApp").stringValue()));
        return cloudApp;
    }
    if (fogApps.empty()) {
        std::istringstream paths(par("fogApps").stdstringValue());
        std::string path;
        while (paths >> path)
            fogApps.push_back(check_and_cast<RoundApp *>(getModuleByPath(path.c_str())));
    }
    return fogApps.at(fog);
}

void RoundApp::writeMessage(int s, bool up, int fog, int rnd, long size, const std::string& name)
{
    auto packet = new Packet(name.c_str(), makeShared<ByteCountChunk>(B(size)));
    emit(packetSentSignal, packet);
    peerApp(fog)->expect(isCloud ? 0 : fogIndex, size, s, up, fog, rnd, name);
    if (!isCloud)
        tcpSocket.send(packet);
    else if (fogSockets[fog] != nullptr)
        fogSockets[fog]->send(packet);
    else
        pendingWrites[fog].push_back(packet);  // written when the FN's connection is accepted
}

void RoundApp::expect(int peer, long bytes, int s, bool up, int fog, int rnd, const std::string& name)
{
    Enter_Method_Silent();
    Inbound& in = inbound.at(peer);
    in.registered += bytes;
    in.expected.push_back(Expected{in.registered, s, up, fog, rnd, name});
}

void RoundApp::socketAvailable(TcpSocket *, TcpAvailableInfo *info)
{
    int fog = -1;
    for (int i = 0; i < (int)fogNodes.size() && fog < 0; i++)
        if (L3AddressResolver().resolve(fogNodes[i].c_str()) == info->getRemoteAddr())
            fog = i;
    if (fog < 0 || fogSockets[fog] != nullptr)
        throw cRuntimeError("unexpected TCP connection from %s", info->getRemoteAddr().str().c_str());
    auto accepted = new TcpSocket(info);
    accepted->setOutputGate(gate("socketOut"));
    accepted->setCallback(this);
    accepted->setUserData(reinterpret_cast<void *>(static_cast<intptr_t>(fog)));
    tcpSockets.addSocket(accepted);
    fogSockets[fog] = accepted;
    tcpSocket.accept(info->getNewSocketId());
    for (auto packet : pendingWrites[fog])
        accepted->send(packet);
    pendingWrites[fog].clear();
}

void RoundApp::socketDataArrived(TcpSocket *from, Packet *packet, bool)
{
    int peer = isCloud ? static_cast<int>(reinterpret_cast<intptr_t>(from->getUserData())) : 0;
    Inbound& in = inbound.at(peer);
    in.received += packet->getByteLength();
    delete packet;
    while (!in.expected.empty() && in.expected.front().end <= in.received) {
        Expected message = in.expected.front();
        in.expected.pop_front();
        auto whole = new Packet(message.name.c_str());  // the message, for FlowRecorder
        emit(packetReceivedSignal, whole);
        delete whole;
        onMessage(message.stage, message.up, message.fog, message.rnd);
    }
}

void RoundApp::onTimer(int kind, int data)
{
    if (!isCloud) {
        if (kind == START)
            beginRound();
        else if (kind == STALL) {
            if (data == round) {  // the round's last download never came
                stallVector.record((double)round * fogNodes.size() + fogIndex);
                endSimulation();
            }
        }
        else if (kind == FOG_DONE) {
            fogComputeVector.record(fogCompute(data));
            sendUp(data);
        }
        return;
    }
    if (kind == STALL) {
        if (data == round && !roundsOver())
            stalled();
    }
    else if (kind == DEADLINE) {
        if (data == round && !decided) {
            deadlinePassed = true;
            tryDecide();
        }
    }
    else if (kind == CLOUD_DONE)
        cloudDone(data);
}

void RoundApp::onMessage(int s, bool up, int fog, int rnd)
{
    if (!isCloud) {
        if (rnd != round || up)
            return;
        if (s == (int)stages.size() - 1) {
            // the cloud closed the round: a computation still under way is stale, drop it
            cancelAndDelete(fogTimer);
            fogTimer = nullptr;
            downloadVector.record(round);
            roundDone();
        }
        else
            computeThenSend(s + 1);
        return;
    }
    if (!up)
        return;
    int p = fogNodes.size();
    if (s == 0)  // recorded for late uploads too: rounds.csv says how late stragglers were
        uploadVector.record((double)rnd * p + fog);
    if (rnd < round)
        return;  // a straggler's upload of a round already closed
    if (s == 0) {
        arrivals[rnd].push_back(fog);
        if (rnd == round)
            tryDecide();
    }
    else if (rnd == round && s == stage && decided &&
             std::find(aggregated.begin(), aggregated.end(), fog) != aggregated.end()) {
        stageArrivals.insert(fog);
        if (stageArrivals.size() == aggregated.size())
            compute(s);
    }
}

// ---- fog node

void RoundApp::startRound()
{
    if (rounds >= 0 && round >= rounds)
        return;
    simtime_t batchAt = batchPeriod * round;
    if (batchAt > simTime()) {
        schedule(batchAt, START, round);
        return;
    }
    beginRound();
}

void RoundApp::beginRound()
{
    roundStartVector.record(round);
    if (stallTimeout >= SIMTIME_ZERO && !stages.back().downKind.empty())
        schedule(simTime() + stallTimeout, STALL, round);  // the round's last download is due
    computeThenSend(0);
}

simtime_t RoundApp::fogCompute(int s) const
{
    // the nominal time scaled by this round's factor, in integer ps as the engine does it
    if (computeFactors.empty())
        return fogBefore[s];
    __int128 ps = (__int128)fogBefore[s].raw() * computeFactors[round % computeFactors.size()];
    return SimTime((long long)(ps / 1000000), SIMTIME_PS);
}

void RoundApp::computeThenSend(int s)
{
    simtime_t duration = fogCompute(s);
    if (duration > SIMTIME_ZERO)
        fogTimer = schedule(simTime() + duration, FOG_DONE, s);
    else
        sendUp(s);
}

void RoundApp::sendUp(int s)
{
    sendMessage(cloudName, s, true, fogIndex, round);
    if (stages.back().downKind.empty() && s == (int)stages.size() - 1)
        roundDone();  // nothing comes down (CC): the next batch starts the next round
}

void RoundApp::roundDone()
{
    round++;
    if (rounds >= 0 && round >= rounds && !stages.back().downKind.empty()) {
        if (cloudApp == nullptr)
            cloudApp = check_and_cast<RoundApp *>(getModuleByPath(par("cloudApp").stringValue()));
        cloudApp->fogFinished();
        return;
    }
    startRound();
}

// ---- cloud

void RoundApp::openRound()
{
    // the round starts when its batch exists and the previous round is closed (now)
    simtime_t start = std::max(simTime(), batchPeriod * round);
    stage = 0;
    decided = false;
    aggregated.clear();
    deadlinePassed = false;
    stageArrivals.clear();
    if (!roundsOver()) {
        if (policy == "deadline")
            schedule(start + roundDeadline, DEADLINE, round);
        if (stallTimeout >= SIMTIME_ZERO)
            schedule(start + stallTimeout, STALL, round);
    }
    tryDecide();
}

void RoundApp::stalled()
{
    // the round did not close within stallTimeout: record whom it waits for, and end
    int p = fogNodes.size();
    std::vector<int> waiting;
    if (!decided) {
        const std::vector<int>& arrived = arrivals[round];
        for (int fog = 0; fog < p; fog++)
            if (std::find(arrived.begin(), arrived.end(), fog) == arrived.end())
                waiting.push_back(fog);
    }
    else {
        for (int fog : aggregated)
            if (stageArrivals.count(fog) == 0)
                waiting.push_back(fog);
    }
    if (waiting.empty())
        for (int fog = 0; fog < p; fog++)
            waiting.push_back(fog);
    for (int fog : waiting)
        stallVector.record((double)round * p + fog);
    endSimulation();
}

void RoundApp::tryDecide()
{
    if (decided || computing || roundsOver())
        return;
    const std::vector<int>& arrived = arrivals[round];
    int p = fogNodes.size();
    bool ready;
    std::vector<int> chosen(arrived);
    if (policy == "all")
        ready = (int)arrived.size() == p;
    else if (policy == "quorum") {
        ready = (int)arrived.size() >= quorum;
        if (ready)
            chosen.resize(quorum);
    }
    else
        ready = (int)arrived.size() == p || (deadlinePassed && !arrived.empty());
    if (!ready)
        return;
    std::sort(chosen.begin(), chosen.end());
    aggregated = chosen;
    decided = true;
    for (int fog : aggregated)
        aggregatedVector.record((double)round * p + fog);
    compute(0);
}

void RoundApp::compute(int s)
{
    stage = s;
    computing = true;
    simtime_t duration = stages[s].cloudFixed + stages[s].cloudPerFn * (int)aggregated.size();
    schedule(simTime() + duration, CLOUD_DONE, s);
}

void RoundApp::cloudDone(int s)
{
    computing = false;
    const Stage& st = stages[s];
    cloudComputeVector.record(st.cloudFixed + st.cloudPerFn * (int)aggregated.size());
    bool last = s == (int)stages.size() - 1;
    if (last)
        doneVector.record(round);
    if (!st.downKind.empty()) {
        if (st.downToAll) {
            for (int fog = 0; fog < (int)fogNodes.size(); fog++)
                sendMessage(fogNodes[fog], s, false, fog, round);
        }
        else {
            for (int fog : aggregated)
                sendMessage(fogNodes[fog], s, false, fog, round);
        }
    }
    if (!last) {
        stage = s + 1;
        stageArrivals.clear();
        return;
    }
    arrivals.erase(round);
    round++;
    if (roundsOver() && st.downKind.empty()) {
        endSimulation();  // CC: the last round's training is the end
        return;
    }
    openRound();
}

void RoundApp::socketFailure(TcpSocket *failed, int)
{
    // TCP gave up on a connection (INET's TCP_I_TIMED_OUT or a reset)
    int fog = isCloud ? static_cast<int>(reinterpret_cast<intptr_t>(failed->getUserData())) : fogIndex;
    connectionFailed(fog, round);
}

void RoundApp::connectionFailed(int fog, int rnd)
{
    // TCP gave up on FN fog's connection: the protocol cannot go on; record and end
    stallVector.record((double)rnd * fogNodes.size() + fog);
    endSimulation();
}

void RoundApp::fogFinished()
{
    Enter_Method_Silent();
    if (++finishedFogs == (int)fogNodes.size())
        endSimulation();
}

}  // namespace fogcosim
