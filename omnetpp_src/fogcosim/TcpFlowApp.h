// SPDX-License-Identifier: MIT
// fogcosim: one end of a periodic flow over TCP (see TcpFlowApp.ned).
#ifndef FOGCOSIM_TCPFLOWAPP_H
#define FOGCOSIM_TCPFLOWAPP_H

#include <deque>
#include <string>
#include <utility>

#include "inet/applications/base/ApplicationBase.h"
#include "inet/common/socket/SocketMap.h"
#include "inet/transportlayer/contract/tcp/TcpSocket.h"

namespace fogcosim {

class TcpFlowApp : public inet::ApplicationBase, public inet::TcpSocket::ICallback
{
  protected:
    bool isClient = false;
    std::string packetName;
    long messageLength = 0;
    omnetpp::simtime_t sendInterval;
    inet::TcpSocket socket;  // client: its connection; server: the listener
    inet::SocketMap accepted;  // server: the accepted connection
    omnetpp::cMessage *sendTimer = nullptr;
    long sent = 0;
    TcpFlowApp *server = nullptr;
    // server: (end of the message in the stream, its name), and the bytes that arrived
    std::deque<std::pair<long long, std::string>> expected;
    long long registered = 0, received = 0;

  protected:
    virtual int numInitStages() const override { return inet::NUM_INIT_STAGES; }
    virtual void initialize(int stage) override;
    virtual void handleMessageWhenUp(omnetpp::cMessage *msg) override;
    virtual void handleStartOperation(inet::LifecycleOperation *operation) override;
    virtual void handleStopOperation(inet::LifecycleOperation *operation) override {}
    virtual void handleCrashOperation(inet::LifecycleOperation *operation) override {}
    virtual void socketDataArrived(inet::TcpSocket *socket, inet::Packet *packet, bool urgent) override;
    virtual void socketAvailable(inet::TcpSocket *socket, inet::TcpAvailableInfo *info) override;
    virtual void socketEstablished(inet::TcpSocket *socket) override {}
    virtual void socketPeerClosed(inet::TcpSocket *socket) override {}
    virtual void socketClosed(inet::TcpSocket *socket) override {}
    virtual void socketFailure(inet::TcpSocket *socket, int code) override;
    virtual void socketStatusArrived(inet::TcpSocket *socket, inet::TcpStatusInfo *status) override {}
    virtual void socketDeleted(inet::TcpSocket *socket) override {}
    void sendOne();

  public:
    virtual ~TcpFlowApp();
    void expect(long bytes, const std::string& name);
};

}  // namespace fogcosim

#endif
