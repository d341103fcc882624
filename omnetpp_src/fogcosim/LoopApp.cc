// SPDX-License-Identifier: MIT
// fogcosim: the server of a closed loop (see LoopApp.ned).
// The same decisions as simulation/embedded/loops.py.
#include "LoopApp.h"

#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "inet/common/Simsignals.h"
#include "inet/common/TimeTag_m.h"
#include "inet/common/packet/Packet.h"
#include "inet/common/packet/chunk/ByteCountChunk.h"
#include "inet/networklayer/common/L3AddressResolver.h"

using namespace omnetpp;
using namespace inet;

namespace fogcosim {

Define_Module(LoopApp);

static const long MAX_UDP_PAYLOAD = 65507;

void LoopApp::initialize(int initStage)
{
    ApplicationBase::initialize(initStage);
    if (initStage != INITSTAGE_LOCAL)
        return;
    requestChunks = par("requestChunks");
    replyName = par("replyName").stdstringValue();
    destPort = par("destPort");
    chunkPort = par("chunkPort");
    replyBytes = par("replyBytes");
    processing = SimTime(par("processingPs").intValue(), SIMTIME_PS);
}

void LoopApp::handleStartOperation(LifecycleOperation *operation)
{
    dest = L3AddressResolver().resolve(par("destAddress"));
    socket.setOutputGate(gate("socketOut"));
    socket.bind(par("localPort").intValue());
    socket.setCallback(this);
}

void LoopApp::handleMessageWhenUp(cMessage *msg)
{
    if (msg->isSelfMessage()) {
        long n = (long)reinterpret_cast<intptr_t>(msg->getContextPointer());
        delete msg;
        reply(n);
    }
    else
        socket.processMessage(msg);
}

void LoopApp::socketDataArrived(UdpSocket *, Packet *packet)
{
    emit(packetReceivedSignal, packet);
    std::string text(packet->getName());
    delete packet;
    size_t frag = text.find("-frag");
    if (frag != std::string::npos)
        text.erase(frag);
    size_t dash = text.rfind('-');
    if (dash == std::string::npos)
        return;
    long n = std::atol(text.c_str() + dash + 1);
    if (++chunks[n] < requestChunks)
        return;
    chunks.erase(n);
    if (processing == SIMTIME_ZERO)
        reply(n);  // answered in the receiving event
    else
    {
        auto timer = new cMessage("loopReply");
        timer->setContextPointer(reinterpret_cast<void *>(static_cast<intptr_t>(n)));
        scheduleAfter(processing, timer);
    }
}

void LoopApp::socketErrorArrived(UdpSocket *, Indication *indication)
{
    delete indication;
}

void LoopApp::reply(long n)
{
    long count = (replyBytes + MAX_UDP_PAYLOAD - 1) / MAX_UDP_PAYLOAD;
    for (long k = 0; k < count; k++) {
        bool last = k == count - 1;
        long bytes = last ? replyBytes - MAX_UDP_PAYLOAD * (count - 1) : MAX_UDP_PAYLOAD;
        std::ostringstream name;
        name << replyName << "_" << k << "-" << n;
        auto packet = new Packet(name.str().c_str());
        auto payload = makeShared<ByteCountChunk>(B(bytes));
        payload->addTag<CreationTimeTag>()->setCreationTime(simTime());
        packet->insertAtBack(payload);
        emit(packetSentSignal, packet);
        socket.sendTo(packet, dest, last ? destPort : chunkPort);
    }
}

}  // namespace fogcosim
