// SPDX-License-Identifier: MIT
// fogcosim: per TCP connection end, what its sender did (see TcpRecorder.ned).
#include "TcpRecorder.h"

#include <sstream>

#include "inet/common/ProtocolTag_m.h"
#include "inet/common/Simsignals.h"
#include "inet/common/packet/Packet.h"
#include "inet/networklayer/common/L3AddressResolver.h"
#include "inet/networklayer/common/L3AddressTag_m.h"
#include "inet/transportlayer/tcp/Tcp.h"
#include "inet/transportlayer/tcp/TcpConnection.h"
#include "inet/transportlayer/tcp/flavours/TcpBaseAlgState_m.h"
#include "inet/transportlayer/tcp_common/TcpHeader_m.h"

using namespace omnetpp;
using namespace inet;

namespace fogcosim {

Define_Module(TcpRecorder);

TcpRecorder::~TcpRecorder()
{
    for (auto& end : ends)
        delete end.vector;
}

void TcpRecorder::initialize()
{
    std::istringstream entries(par("ends").stdstringValue());
    std::string entry;
    while (std::getline(entries, entry, ';')) {
        std::istringstream fields(entry);
        End end;
        int server = 0;
        if (!(fields >> end.label >> end.host >> end.peer >> end.serverPort >> server))
            continue;
        end.server = server != 0;
        end.vector = new cOutVector((end.label + ":retransmitted:vector").c_str());
        end.vector->setUnit("B");
        end.vector->setInterpolationMode(cOutVector::NONE);
        end.vector->setAttribute("recordingmode", "vector");
        end.vector->setAttribute("title", "retransmitted segment");
        end.vector->registerVector();
        ends.push_back(end);
    }
    fromUpperSignal = registerSignal("packetReceivedFromUpper");
    removedSignal = tcp::Tcp::tcpConnectionRemovedSignal;
    cModule *network = getSimulation()->getSystemModule();
    network->subscribe(fromUpperSignal, this);
    network->subscribe(removedSignal, this);
}

void TcpRecorder::handleMessage(cMessage *msg)
{
    throw cRuntimeError("TcpRecorder takes no messages");
}

void TcpRecorder::resolve()
{
    if (resolved)
        return;
    for (auto& end : ends)
        end.peerAddress = L3AddressResolver().resolve(end.peer.c_str());
    resolved = true;
}

TcpRecorder::End *TcpRecorder::find(const std::string& host, int localPort, int remotePort,
                                    const L3Address& remote)
{
    resolve();
    for (auto& end : ends) {
        int port = end.server ? localPort : remotePort;
        if (end.host == host && port == end.serverPort && end.peerAddress == remote)
            return &end;
    }
    return nullptr;
}

void TcpRecorder::receiveSignal(cComponent *source, simsignal_t signalID, cObject *obj,
                                cObject *details)
{
    if (signalID == removedSignal) {
        snapshot(check_and_cast<tcp::TcpConnection *>(obj));
        return;
    }
    // a segment from a host's Tcp reaching its IPv4 layer
    auto packet = dynamic_cast<Packet *>(obj);
    auto module = dynamic_cast<cModule *>(source);
    if (packet == nullptr || module == nullptr || strcmp(module->getName(), "ip") != 0)
        return;
    auto protocol = packet->findTag<PacketProtocolTag>();
    if (protocol == nullptr || protocol->getProtocol() != &Protocol::tcp)
        return;
    auto header = packet->peekAtFront<tcp::TcpHeader>();
    auto addresses = packet->getTag<L3AddressReq>();
    std::string host = module->getParentModule()->getParentModule()->getFullName();
    End *end = find(host, header->getSrcPort(), header->getDestPort(), addresses->getDestAddress());
    if (end == nullptr)
        return;
    long payload = packet->getByteLength() - B(header->getHeaderLength()).get();
    uint32_t seq = header->getSequenceNo();
    uint32_t next = seq + payload + (header->getSynBit() ? 1 : 0) + (header->getFinBit() ? 1 : 0);
    bool rexmit = end->started && payload > 0 && (int32_t)(seq - end->sndMax) < 0;
    if (!end->started || (int32_t)(next - end->sndMax) > 0)
        end->sndMax = next;
    end->started = true;
    if (simTime() < getSimulation()->getWarmupPeriod())
        return;
    end->segments++;
    end->bytes += payload;
    if (rexmit) {
        end->retransmitted++;
        end->retransmittedBytes += payload;
        end->vector->record(payload);
    }
}

void TcpRecorder::snapshot(tcp::TcpConnection *conn)
{
    if (conn->getRemotePort() < 0)
        return;  // a listener
    std::string host = conn->getParentModule()->getParentModule()->getFullName();
    End *end = find(host, conn->getLocalPort(), conn->getRemotePort(), conn->getRemoteAddress());
    if (end == nullptr)
        return;
    end->known = true;
    end->state = conn->getFsmState();
    auto state = dynamic_cast<const tcp::TcpBaseAlgStateVariables *>(conn->getState());
    if (state != nullptr) {
        end->timeouts = state->numRtos;
        end->rto = state->rexmit_timeout.dbl();
    }
}

void TcpRecorder::finish()
{
    // the connections still open: read their state now
    resolve();
    for (auto& end : ends) {
        cModule *tcpModule = getSimulation()->getSystemModule()->getModuleByPath(
            (end.host + ".tcp").c_str());
        if (tcpModule == nullptr)
            continue;
        for (cModule::SubmoduleIterator it(tcpModule); !it.end(); ++it)
            if (auto conn = dynamic_cast<tcp::TcpConnection *>(*it))
                snapshot(conn);
    }
    for (auto& end : ends) {
        std::string prefix = end.label + ":";
        recordScalar((prefix + "segmentsSent:count").c_str(), end.segments);
        recordScalar((prefix + "bytesSent:sum").c_str(), end.bytes);
        recordScalar((prefix + "retransmittedSegments:count").c_str(), end.retransmitted);
        recordScalar((prefix + "retransmittedBytes:sum").c_str(), end.retransmittedBytes);
        recordScalar((prefix + "timeouts:count").c_str(), end.timeouts);
        recordScalar((prefix + "rto:last").c_str(), end.rto);
        recordScalar((prefix + "state:last").c_str(), end.state);
    }
}

}  // namespace fogcosim
