#include "scp/dicom_listener.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/scpcfg.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "scp/association_handoff.hpp"
#include "scp/connection_gate.hpp"
#include "scp/presentation_contexts.hpp"
#include "storage/printable.hpp"
#include "scp/store_worker.hpp"
#include "scp/tls_layer.hpp"
#include "scp/worker_slots.hpp"

namespace rtpof::scp {
namespace {

using storage::printable;

// Associations past max_associations are refused (A-ASSOCIATE-RJ, transient, local limit exceeded) by
// one thread of their own, so refusing never waits on the accept loop or on a busy slot. Its queue is
// bounded: past it a connection is closed without an answer.
class Refuser {
 public:
  Refuser(AssociationHandoff& handoff, ServiceContext& context, unsigned limit)
      : handoff_(handoff), context_(context), limit_(limit), thread_([this] { loop(); }) {}
  ~Refuser() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    for (const int fd : queue_) ::close(fd);
  }
  bool offer(int fd) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || queue_.size() >= 32) return false;
      queue_.push_back(fd);
    }
    changed_.notify_all();
    return true;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      const int fd = queue_.front();
      queue_.pop_front();
      lock.unlock();
      refuse(fd);
      lock.lock();
    }
  }
  void refuse(int fd) {
    const std::string address = peer_address(fd);
    auto received = handoff_.receive(fd);
    ++context_.stats.associations_refused;
    if (!received.association) {
      context_.logger->warn("association refused: from {}: too many associations ({} running), and the request could "
                            "not be read: {}", address, limit_, printable(received.error));
      tell_refused(context_, {AssociationRefusal::Kind::other, "", "", address,
                              "too many associations; the request could not be read: " + printable(received.error)});
      return;
    }
    const auto& dul = received.association->params->DULparams;
    T_ASC_RejectParameters reject{ASC_RESULT_REJECTEDTRANSIENT, ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                                  ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};
    ASC_rejectAssociation(received.association, &reject);
    context_.logger->warn("association refused: from \"{}\" at {}: too many associations ({} running); the sender "
                          "may try again", printable(dul.callingAPTitle), printable(dul.callingPresentationAddress),
                          limit_);
    tell_refused(context_, {AssociationRefusal::Kind::other, printable(dul.callingAPTitle),
                            printable(dul.calledAPTitle), address,
                            "too many associations (" + std::to_string(limit_) + " running)"});
    drop_association(received.association);
  }

  AssociationHandoff& handoff_;
  ServiceContext& context_;
  unsigned limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<int> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace

struct DicomListener::Parts {
  ListenerOptions options;
  ServiceContext context;
  DcmSharedSCPConfig config;
  ConnectionGate gate;
  AssociationHandoff handoff;

  Parts(const ListenerOptions& o, storage::Archive& archive, std::shared_ptr<spdlog::logger> logger,
        AssociationObserver observer, DcmTransportLayer* tls)
      : options(o),
        context{archive, AssociationPolicy(o), std::move(logger), {}, std::move(observer), o.tls.has_value()},
        gate(GateOptions{o.port, o.tls.has_value(), std::chrono::seconds(o.acse_timeout_s)}),
        handoff(static_cast<int>(o.acse_timeout_s), tls) {
    DcmSCPConfig& c = *config.operator->();
    c.setAETitle(o.ae_title.c_str());
    c.setPort(o.port);
    c.setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
    c.setACSETimeout(o.acse_timeout_s);
    c.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    c.setDIMSETimeout(o.dimse_timeout_s);
    c.setHostLookupEnabled(OFFalse);
    c.setRespondWithCalledAETitle(OFFalse);
    add_presentation_contexts(c);
  }
};

DicomListener::DicomListener(ListenerOptions options, storage::Archive& archive,
                             std::shared_ptr<spdlog::logger> logger, AssociationObserver observer)
    : tls_(options.tls ? make_tls_layer(*options.tls, TlsRole::server) : nullptr),
      parts_(std::make_unique<Parts>(options, archive, std::move(logger), std::move(observer), tls_.get())) {}

DicomListener::~DicomListener() = default;

void DicomListener::run() {
  Parts& p = *parts_;
  WorkerSlots slots(p.options.max_associations, [&p](int fd) {
    ++p.context.stats.active_associations;
    const std::string address = peer_address(fd);
    try {
      auto received = p.handoff.receive(fd);
      if (!received.association) {
        // A TLS handshake that failed, a peer that closed, a PDU that is not an A-ASSOCIATE-RQ.
        ++p.context.stats.associations_refused;
        static const std::string tls_error = "TLS error: ";
        const bool tls_failed = p.options.tls && received.error.rfind(tls_error, 0) == 0;
        if (tls_failed)
          p.context.logger->warn("association refused: from {}: TLS handshake failed ({}); the TLS port speaks DICOM "
                                 "over TLS only: the peer must use TLS and present a certificate issued by a CA in "
                                 "tls.trusted_certificates",
                                 address, printable(received.error.substr(tls_error.size())));
        else
          p.context.logger->warn("association refused: from {}: {}", address, printable(received.error));
        tell_refused(p.context, {tls_failed ? AssociationRefusal::Kind::tls_failure : AssociationRefusal::Kind::other,
                                 "", p.options.ae_title, address, printable(received.error)});
      } else {
        StoreWorker(p.config, p.context).serve(received.association);
      }
    } catch (const std::exception& e) {
      // Nothing of this association was acknowledged after the failure: its sender sends again.
      p.context.logger->error("association from {} ended by an unexpected error: {}; keep this line and report it",
                              address, printable(e.what()));
    }
    --p.context.stats.active_associations;
  });
  {
    Refuser refuser(p.handoff, p.context, p.options.max_associations);
    try {
      p.gate.run(
          [&](int fd, const std::string& address) {
            if (slots.try_start(fd)) return;
            if (refuser.offer(fd)) return;
            ++p.context.stats.associations_refused;
            p.context.logger->warn("connection from {} closed without an answer: too many associations and refusals "
                                   "waiting", address);
            ::close(fd);
            tell_refused(p.context, {AssociationRefusal::Kind::other, "", "", address,
                                     "closed without an answer: too many associations and refusals waiting"});
          },
          [&](const std::string& address, const std::string& why) {
            // A connection of a peer that never sent its request is routine (port checks); the loop's own
            // trouble (out of descriptors) is not, and has no peer.
            if (address.empty()) p.context.logger->warn("listener: {}", why);
            else p.context.logger->info("connection from {} {}", address, why);
          });
    } catch (...) {
      slots.finish(std::chrono::milliseconds(0));
      throw;
    }
  }
  const std::size_t cut = slots.finish(std::chrono::seconds(p.options.shutdown_grace_s));
  if (cut > 0)
    p.context.logger->warn("{} association(s) still running after the {} s grace were aborted; what they had not "
                           "been acknowledged for, their senders send again",
                           cut, p.options.shutdown_grace_s);
}

void DicomListener::request_stop() { parts_->gate.request_stop(); }

const ListenerStats& DicomListener::stats() const { return parts_->context.stats; }

std::size_t DicomListener::active_associations() const { return parts_->context.stats.active_associations.load(); }

}  // namespace rtpof::scp
