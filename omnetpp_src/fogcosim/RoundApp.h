// SPDX-License-Identifier: MIT
// fogcosim: one side of a distributed-training round protocol (see RoundApp.ned).
#ifndef FOGCOSIM_ROUNDAPP_H
#define FOGCOSIM_ROUNDAPP_H

#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "inet/applications/base/ApplicationBase.h"
#include "inet/networklayer/common/L3Address.h"
#include "inet/common/socket/SocketMap.h"
#include "inet/transportlayer/contract/tcp/TcpSocket.h"
#include "inet/transportlayer/contract/udp/UdpSocket.h"

namespace fogcosim {

class RoundApp : public inet::ApplicationBase, public inet::UdpSocket::ICallback,
                 public inet::TcpSocket::ICallback
{
  protected:
    enum TimerKind { START = 1, FOG_DONE, CLOUD_DONE, DEADLINE, STALL };
    struct Stage {
        std::string upKind, downKind;
        long upBytes = 0, downBytes = 0;
        omnetpp::simtime_t cloudFixed, cloudPerFn;
        bool downToAll = true;
    };
    struct Route {
        int stage = 0;
        bool up = true;
        int fog = 0;
    };
    // a message written to a TCP connection: it is whole when the stream reaches `end`
    struct Expected {
        long long end = 0;
        int stage = 0;
        bool up = true;
        int fog = 0;
        int rnd = 0;
        std::string name;
    };
    // one incoming TCP stream: the writes the sender registered, the bytes that arrived
    struct Inbound {
        long long registered = 0, received = 0;
        std::deque<Expected> expected;
    };

    // parameters
    bool isCloud = false;
    int fogIndex = -1;
    std::vector<std::string> fogNodes;
    std::string cloudName;
    int port = 6000;
    std::vector<Stage> stages;
    std::vector<omnetpp::simtime_t> fogBefore;
    std::vector<long long> computeFactors;  // ppm per round, cycled (empty: nominal)
    std::string policy;
    int quorum = 1;
    omnetpp::simtime_t roundDeadline, batchPeriod, stallTimeout;
    int rounds = -1;
    bool tcp = false;  // transport: one TCP connection per FN instead of UDP datagrams

    // state
    inet::UdpSocket socket;
    inet::TcpSocket tcpSocket;  // FN: its connection to the cloud; cloud: the listener
    inet::SocketMap tcpSockets;  // cloud: the accepted connections
    std::vector<inet::TcpSocket *> fogSockets;  // cloud: per FN, its connection (or null)
    std::vector<std::vector<inet::Packet *>> pendingWrites;  // cloud: per FN, before accept
    std::vector<Inbound> inbound;  // cloud: per FN; FN: one (from the cloud)
    std::vector<RoundApp *> fogApps;  // cloud: the FNs' apps (they learn the cloud's writes)
    std::map<std::string, inet::L3Address> addresses;
    std::map<std::string, Route> routes;                 // flow name -> what it is
    std::map<std::pair<std::string, long>, int> chunks;  // (flow, round) -> chunks received
    int round = 0;
    // cloud
    int stage = 0;
    std::map<int, std::vector<int>> arrivals;  // round -> stage-0 uploads in arrival order
    std::set<int> stageArrivals;
    std::vector<int> aggregated;
    bool decided = false, computing = false, deadlinePassed = false;
    int finishedFogs = 0;
    RoundApp *cloudApp = nullptr;
    omnetpp::cMessage *fogTimer = nullptr;  // the computation under way (fog node)

    omnetpp::cOutVector roundStartVector, fogComputeVector, downloadVector;
    omnetpp::cOutVector uploadVector, aggregatedVector, cloudComputeVector, doneVector;
    omnetpp::cOutVector stallVector;

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
    virtual void socketDataArrived(inet::TcpSocket *socket, inet::Packet *packet, bool urgent) override;
    virtual void socketAvailable(inet::TcpSocket *socket, inet::TcpAvailableInfo *info) override;
    virtual void socketEstablished(inet::TcpSocket *socket) override {}
    virtual void socketPeerClosed(inet::TcpSocket *socket) override {}
    virtual void socketClosed(inet::TcpSocket *socket) override {}
    virtual void socketFailure(inet::TcpSocket *socket, int code) override;
    virtual void socketStatusArrived(inet::TcpSocket *socket, inet::TcpStatusInfo *status) override {}
    virtual void socketDeleted(inet::TcpSocket *socket) override {}

    omnetpp::cMessage *schedule(omnetpp::simtime_t at, int kind, int data);
    void initVector(omnetpp::cOutVector& vector, const char *name);
    std::string flowName(int stage, bool up, int fog) const;
    void sendMessage(const std::string& dst, int stage, bool up, int fog, int rnd);
    void writeMessage(int stage, bool up, int fog, int rnd, long size, const std::string& name);
    RoundApp *peerApp(int fog);
    void onMessage(int stage, bool up, int fog, int rnd);
    void onTimer(int kind, int data);
    // fog node
    void startRound();
    void beginRound();
    void computeThenSend(int stage);
    omnetpp::simtime_t fogCompute(int stage) const;
    void sendUp(int stage);
    void roundDone();
    // cloud
    void openRound();
    bool roundsOver() const { return rounds >= 0 && round >= rounds; }
    void tryDecide();
    void compute(int stage);
    void cloudDone(int stage);
    void stalled();
    void connectionFailed(int fog, int rnd);

  public:
    virtual ~RoundApp();
    void fogFinished();
    // the sender of a TCP message tells the receiver where it ends in the stream (as a
    // length-prefixed framing would, without its bytes): a direct call, like fogFinished
    void expect(int peer, long bytes, int stage, bool up, int fog, int rnd, const std::string& name);
};

}  // namespace fogcosim

#endif
