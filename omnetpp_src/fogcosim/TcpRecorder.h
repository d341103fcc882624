// SPDX-License-Identifier: MIT
// fogcosim: per TCP connection end, what its sender did (see TcpRecorder.ned).
#ifndef FOGCOSIM_TCPRECORDER_H
#define FOGCOSIM_TCPRECORDER_H

#include <cstdint>
#include <string>
#include <vector>

#include <omnetpp.h>

#include "inet/networklayer/common/L3Address.h"

namespace inet { namespace tcp { class TcpConnection; } }

namespace fogcosim {

class TcpRecorder : public omnetpp::cSimpleModule, public omnetpp::cListener
{
  protected:
    struct End {
        std::string label, host, peer;
        int serverPort = -1;
        bool server = false;
        inet::L3Address peerAddress;
        bool started = false;
        uint32_t sndMax = 0;  // highest sequence number sent + 1
        long segments = 0, retransmitted = 0;
        long long bytes = 0, retransmittedBytes = 0;
        omnetpp::cOutVector *vector = nullptr;
        // read from INET's connection at the end (or when it is removed)
        bool known = false;
        long timeouts = 0;
        double rto = 0;
        int state = 0;
    };
    std::vector<End> ends;
    bool resolved = false;
    omnetpp::simsignal_t fromUpperSignal = -1, removedSignal = -1;

  protected:
    virtual void initialize() override;
    virtual void finish() override;
    virtual void handleMessage(omnetpp::cMessage *msg) override;
    virtual void receiveSignal(omnetpp::cComponent *source, omnetpp::simsignal_t signalID,
                               omnetpp::cObject *obj, omnetpp::cObject *details) override;
    void resolve();
    End *find(const std::string& host, int localPort, int remotePort, const inet::L3Address& remote);
    void snapshot(inet::tcp::TcpConnection *conn);

  public:
    virtual ~TcpRecorder();
};

}  // namespace fogcosim

#endif
