// SPDX-License-Identifier: MIT
// fogcosim: the server of a closed loop (see LoopApp.ned).
#ifndef FOGCOSIM_LOOPAPP_H
#define FOGCOSIM_LOOPAPP_H

#include <map>
#include <string>

#include "inet/applications/base/ApplicationBase.h"
#include "inet/networklayer/common/L3Address.h"
#include "inet/transportlayer/contract/udp/UdpSocket.h"

namespace fogcosim {

class LoopApp : public inet::ApplicationBase, public inet::UdpSocket::ICallback
{
  protected:
    int requestChunks = 1;
    std::string replyName;
    inet::L3Address dest;
    int destPort = -1, chunkPort = -1;
    long replyBytes = 0;
    omnetpp::simtime_t processing;
    inet::UdpSocket socket;
    std::map<long, int> chunks;  // request n -> chunks received

  protected:
    virtual int numInitStages() const override { return inet::NUM_INIT_STAGES; }
    virtual void initialize(int stage) override;
    virtual void handleMessageWhenUp(omnetpp::cMessage *msg) override;
    virtual void handleStartOperation(inet::LifecycleOperation *operation) override;
    virtual void handleStopOperation(inet::LifecycleOperation *operation) override {}
    virtual void handleCrashOperation(inet::LifecycleOperation *operation) override {}
    virtual void socketDataArrived(inet::UdpSocket *socket, inet::Packet *packet) override;
    virtual void socketErrorArrived(inet::UdpSocket *socket, inet::Indication *indication) override;
    virtual void socketClosed(inet::UdpSocket *socket) override {}
    void reply(long n);
};

}  // namespace fogcosim

#endif
