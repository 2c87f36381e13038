#pragma once
// One association: policy checks, C-ECHO, and C-STORE into the archive. Made afresh for each
// association on a worker slot's thread (scp/worker_slots.hpp). Internal to scp/.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/scpthrd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scp/association_events.hpp"
#include "scp/association_policy.hpp"
#include "scp/listener_stats.hpp"

namespace spdlog {
class logger;
}
namespace rtpof::storage {
class Archive;
class IncomingFile;
struct IngestOutcome;
}

namespace rtpof::scp {

// Shared by every worker; outlives the pool.
struct ServiceContext {
  storage::Archive& archive;
  AssociationPolicy policy;
  std::shared_ptr<spdlog::logger> logger;
  ListenerStats stats;
  AssociationObserver observer;
  bool tls = false;  // the port speaks DICOM over TLS
};

// Counts the refusal by kind and tells the observer, logging (never throwing) what it throws.
void tell_refused(ServiceContext& context, const AssociationRefusal& refusal);

class StoreWorker : private DcmThreadSCP {
 public:
  StoreWorker(const DcmSharedSCPConfig& config, ServiceContext& context);

  // Negotiates and serves `association` to its end; takes ownership (drops and frees it).
  void serve(T_ASC_Association* association);

 private:
  // DcmSCP hooks
  void notifyAssociationRequest(const T_ASC_Parameters& params, DcmSCPActionType& desired_action) override;
  OFBool checkCalledAETitleAccepted(const OFString& called_ae) override;
  OFBool checkCallingAETitleAccepted(const OFString& calling_ae) override;
  void refuseAssociation(const DcmRefuseReasonType reason) override;
  void notifyAssociationAcknowledge() override;
  void notifyReleaseRequest() override;
  void notifyAbortRequest() override;
  void notifyDIMSEError(const OFCondition& condition) override;
  void notifyAssociationTermination() override;
  void notifyRECEIVEProgress(const unsigned long byte_count) override;
  OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override;
  void disarm_uid_name(char* uid, const char* field);

  void note_received(const storage::IngestOutcome& outcome);
  OFCondition handle_store(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id);
  std::string peer() const;
  // One info line naming each presentation context refused in the accepted association, counted in
  // the stats; refusals of a class the node stores are kept in the index for the case's waiting line.
  void report_refused_contexts();

  ServiceContext& context_;
  T_ASC_Association* association_ = nullptr;  // the one being served; owned by DcmThreadSCP::run
  // The file being received, while DCMTK writes it: each progress call sends what has arrived on its
  // way to the disk, so that the final fsync waits only for the tail.
  storage::IncomingFile* receiving_ = nullptr;
  // Per association; reset in notifyAssociationRequest.
  PolicyDecision decision_;
  std::string calling_ae_;
  std::string calling_address_;
  std::string called_ae_;
  AssociationSummary received_;  // what this association brought, for the observer
  std::string ending_ = "ended";
  std::uint64_t stored_ = 0, duplicates_ = 0, refused_ = 0, bytes_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool acknowledged_ = false;
};

}  // namespace rtpof::scp
