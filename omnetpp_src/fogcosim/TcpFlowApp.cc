// SPDX-License-Identifier: MIT
// fogcosim: one end of a periodic flow over TCP (see TcpFlowApp.ned).
#include "TcpFlowApp.h"

#include <sstream>

#include "inet/common/ModuleAccess.h"
#include "inet/common/Simsignals.h"
#include "inet/common/packet/Packet.h"
#include "inet/common/packet/chunk/ByteCountChunk.h"
#include "inet/networklayer/common/L3AddressResolver.h"
#include "inet/transportlayer/contract/tcp/TcpCommand_m.h"

using namespace omnetpp;
using namespace inet;

namespace fogcosim {

Define_Module(TcpFlowApp);

void TcpFlowApp::initialize(int initStage)
{
    ApplicationBase::initialize(initStage);
    if (initStage != INITSTAGE_LOCAL)
        return;
    isClient = strcmp(par("role").stringValue(), "client") == 0;
    packetName = par("packetName").stdstringValue();
    messageLength = par("messageLength");
    sendInterval = par("sendInterval");
}

TcpFlowApp::~TcpFlowApp()
{
    cancelAndDelete(sendTimer);
    accepted.deleteSockets();
}

void TcpFlowApp::handleStartOperation(LifecycleOperation *operation)
{
    socket.setOutputGate(gate("socketOut"));
    socket.setCallback(this);
    if (isClient) {
        socket.connect(L3AddressResolver().resolve(par("connectAddress")), par("connectPort"));
        sendTimer = new cMessage("sendTimer");
        scheduleAt(par("startTime"), sendTimer);
    }
    else {
        socket.bind(par("localPort"));
        socket.listen();
    }
}

void TcpFlowApp::handleMessageWhenUp(cMessage *msg)
{
    if (msg == sendTimer)
        sendOne();
    else if (socket.belongsToSocket(msg))
        socket.processMessage(msg);
    else if (auto conn = accepted.findSocketFor(msg))
        conn->processMessage(msg);
    else
        delete msg;
}

void TcpFlowApp::sendOne()
{
    std::ostringstream name;
    name << packetName << "-" << sent++;
    auto packet = new Packet(name.str().c_str(), makeShared<ByteCountChunk>(B(messageLength)));
    emit(packetSentSignal, packet);
    if (server == nullptr)
        server = check_and_cast<TcpFlowApp *>(getModuleByPath(par("serverApp").stringValue()));
    server->expect(messageLength, name.str());
    socket.send(packet);
    scheduleAfter(sendInterval, sendTimer);
}

void TcpFlowApp::socketFailure(TcpSocket *, int)
{
    if (sendTimer != nullptr)
        cancelEvent(sendTimer);  // TCP gave up on the connection: nothing more can be sent
}

void TcpFlowApp::expect(long bytes, const std::string& name)
{
    Enter_Method_Silent();
    registered += bytes;
    expected.emplace_back(registered, name);
}

void TcpFlowApp::socketAvailable(TcpSocket *, TcpAvailableInfo *info)
{
    auto conn = new TcpSocket(info);
    conn->setOutputGate(gate("socketOut"));
    conn->setCallback(this);
    accepted.addSocket(conn);
    socket.accept(info->getNewSocketId());
}

void TcpFlowApp::socketDataArrived(TcpSocket *, Packet *packet, bool)
{
    received += packet->getByteLength();
    delete packet;
    while (!expected.empty() && expected.front().first <= received) {
        auto whole = new Packet(expected.front().second.c_str());  // the message, for FlowRecorder
        expected.pop_front();
        emit(packetReceivedSignal, whole);
        delete whole;
    }
}

}  // namespace fogcosim
