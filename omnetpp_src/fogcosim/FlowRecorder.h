// SPDX-License-Identifier: MIT
// fogcosim: per-flow message statistics (see FlowRecorder.ned).
#ifndef FOGCOSIM_FLOWRECORDER_H
#define FOGCOSIM_FLOWRECORDER_H

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <omnetpp.h>

namespace fogcosim {

class FlowRecorder : public omnetpp::cSimpleModule, public omnetpp::cListener
{
  protected:
    struct Flow {
        std::string name;
        int chunks = 1;
        omnetpp::simtime_t deadline = -1;
        long sent = 0, delivered = 0, dropped = 0, late = 0;
        omnetpp::cHistogram *delays = nullptr;
        omnetpp::cOutVector *vector = nullptr;
        omnetpp::cOutVector *dropVector = nullptr;    // dropped messages' numbers
        omnetpp::cOutVector *dropAtVector = nullptr;  // where: link-direction index
        std::vector<int> path;                        // link-direction index of each hop
        struct Wait {
            long frames = 0;
            omnetpp::simtime_t total, longest;
        };
        std::map<int, Wait> hopWaits;  // hop index -> waits of this flow's frames there
    };
    struct Message {
        omnetpp::simtime_t created;
        int chunksLeft = 0;
        bool dropped = false;
        bool counted = false;
        std::set<int> droppedChunks;  // chunks (datagrams) that lost a frame
    };
    struct Loop {
        int request = -1, reply = -1;
        omnetpp::simtime_t deadline = -1;
        std::map<long, omnetpp::simtime_t> started;  // request n -> sent, while open
        omnetpp::cHistogram *rtts = nullptr;
        omnetpp::cOutVector *vector = nullptr;
        long completed = 0, lost = 0, late = 0;
    };
    struct Name {
        int flow = -1;  // -1: not a packet of a known flow
        int chunk = 0;
        long message = 0;
    };
    std::vector<Flow> flows;
    std::unordered_map<std::string, int> flowIndex;
    std::unordered_map<std::string, int> interfaceIndex;  // full path -> link direction
    std::vector<Loop> loops;
    std::unordered_map<int, int> loopOfFlow;  // request or reply flow -> its closed loop
    std::map<std::pair<int, long>, Message> open;  // (flow, message number) -> message
    omnetpp::simsignal_t sentSignal = -1, receivedSignal = -1, droppedSignal = -1;
    omnetpp::simsignal_t pulledSignal = -1;
    bool recordWaits = true;

  protected:
    virtual void initialize() override;
    virtual void finish() override;
    virtual void handleMessage(omnetpp::cMessage *msg) override;
    virtual void receiveSignal(omnetpp::cComponent *source, omnetpp::simsignal_t signalID,
                               omnetpp::cObject *obj, omnetpp::cObject *details) override;
    Name parse(const char *name) const;
    void resolveChunk(std::pair<int, long> key, Message& message);
    int dropLocation(omnetpp::cComponent *source) const;
    void recordWait(omnetpp::cComponent *source, omnetpp::cPacket *packet);
    void loopMessageDone(int flow, long n, bool delivered);
    omnetpp::cOutVector *newVector(const std::string& name, const char *title,
                                   const char *unit = nullptr);

  public:
    virtual ~FlowRecorder();
};

}  // namespace fogcosim

#endif
