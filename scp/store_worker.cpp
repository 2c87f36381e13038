#include "scp/store_worker.hpp"

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "storage/archive.hpp"
#include "scp/presentation_contexts.hpp"
#include "storage/instance_store.hpp"
#include "storage/printable.hpp"
#include "storage/utc_time.hpp"

namespace rtpof::scp {
namespace {

using storage::IngestError;

// C-STORE statuses (PS3.4 Annex B.2.3).
constexpr Uint16 status_out_of_resources = 0xA700;
constexpr Uint16 status_does_not_match_sop_class = 0xA900;
constexpr Uint16 status_cannot_understand = 0xC000;
constexpr Uint16 status_processing_failure = 0x0110;
constexpr Uint16 status_duplicate_sop_instance = 0x0111;  // PS3.7 C.4.1: Duplicate SOP Instance

Uint16 status_for(IngestError::Kind kind) {
  switch (kind) {
    case IngestError::Kind::does_not_match_sop_class: return status_does_not_match_sop_class;
    case IngestError::Kind::cannot_understand: return status_cannot_understand;
    case IngestError::Kind::out_of_resources: return status_out_of_resources;
    case IngestError::Kind::duplicate_instance_uid: return status_duplicate_sop_instance;
  }
  return status_processing_failure;
}

std::string hex_status(Uint16 status) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", status);
  return text;
}

std::string sop_class_name(const std::string& uid) { return dcmFindNameOfUID(uid.c_str(), uid.c_str()); }

using storage::printable;

}  // namespace

StoreWorker::StoreWorker(const DcmSharedSCPConfig& config, ServiceContext& context)
    : DcmThreadSCP(), context_(context) {
  DcmThreadSCP::setSharedConfig(config);
}

void StoreWorker::serve(T_ASC_Association* association) {
  association_ = association;
  DcmThreadSCP::run(association);
  association_ = nullptr;
}

std::string StoreWorker::peer() const { return "\"" + calling_ae_ + "\" at " + calling_address_; }

void StoreWorker::notifyAssociationRequest(const T_ASC_Parameters& params, DcmSCPActionType& /*desired_action*/) {
  calling_ae_ = printable(params.DULparams.callingAPTitle);
  calling_address_ = normalise_address(params.DULparams.callingPresentationAddress);
  called_ae_ = printable(params.DULparams.calledAPTitle);
  decision_ = context_.policy.evaluate(params.DULparams.calledAPTitle, calling_ae_, calling_address_);
  received_ = AssociationSummary{};
  stored_ = duplicates_ = refused_ = bytes_ = 0;
  ending_ = "ended";
  acknowledged_ = false;
  started_ = std::chrono::steady_clock::now();
}

OFBool StoreWorker::checkCalledAETitleAccepted(const OFString&) {
  return decision_.verdict != PolicyDecision::Verdict::called_ae_not_recognized;
}

OFBool StoreWorker::checkCallingAETitleAccepted(const OFString&) {
  // PS3.8 has no reason code for a wrong address: the (AE, host) pair is an unknown calling AE.
  return decision_.verdict != PolicyDecision::Verdict::calling_ae_not_recognized &&
         decision_.verdict != PolicyDecision::Verdict::calling_address_not_allowed;
}

void StoreWorker::refuseAssociation(const DcmRefuseReasonType reason) {
  std::string why = decision_.reason;
  if (why.empty()) {
    switch (reason) {
      case DCMSCP_NO_PRESENTATION_CONTEXTS:
        why = "none of the proposed SOP classes / transfer syntaxes is supported (see docs/conformance-statement.md)";
        break;
      case DCMSCP_BAD_APPLICATION_CONTEXT_NAME: why = "unsupported application context"; break;
      case DCMSCP_TOO_MANY_ASSOCIATIONS: why = "too many associations"; break;
      default: why = "refused by DICOM negotiation"; break;
    }
  }
  ++context_.stats.associations_refused;
  context_.logger->warn("association refused: from {}: {}", peer(), why);
  DcmThreadSCP::refuseAssociation(reason);
  using Verdict = PolicyDecision::Verdict;
  const bool unauthorised = decision_.verdict == Verdict::called_ae_not_recognized ||
                            decision_.verdict == Verdict::calling_ae_not_recognized ||
                            decision_.verdict == Verdict::calling_address_not_allowed;
  tell_refused(context_, {unauthorised ? AssociationRefusal::Kind::not_authorised : AssociationRefusal::Kind::other,
                          calling_ae_, called_ae_, calling_address_, why});
}

void tell_refused(ServiceContext& context, const AssociationRefusal& refusal) {
  if (refusal.kind == AssociationRefusal::Kind::not_authorised) ++context.stats.refused_not_authorised;
  if (refusal.kind == AssociationRefusal::Kind::tls_failure) ++context.stats.refused_tls_handshake;
  if (!context.observer.refused) return;
  try {
    context.observer.refused(refusal);
  } catch (const std::exception& e) {
    context.logger->error("the audit of a refused association failed: {}", e.what());
  }
}

void StoreWorker::notifyAssociationAcknowledge() {
  acknowledged_ = true;
  ++context_.stats.associations_accepted;
  context_.logger->info("association accepted: from {}", peer());
  report_refused_contexts();
}

void StoreWorker::report_refused_contexts() {
  if (!association_ || !association_->params) return;
  // Grouped by SOP class, in the order proposed: a class counts as refused only when none of its
  // contexts was accepted (DCMTK's storescu proposes each class several times, one syntax group each).
  struct Refusal {
    std::string sop_class, offered, reason;
    bool accepted = false;
  };
  std::vector<Refusal> classes;
  const int count = ASC_countPresentationContexts(association_->params);
  for (int i = 0; i < count; ++i) {
    T_ASC_PresentationContext context;
    if (ASC_getPresentationContext(association_->params, i, &context).bad()) continue;
    const std::string sop_class = printable(context.abstractSyntax);
    auto entry = std::find_if(classes.begin(), classes.end(), [&](const Refusal& r) { return r.sop_class == sop_class; });
    if (entry == classes.end()) entry = classes.insert(classes.end(), Refusal{sop_class, "", "", false});
    if (context.resultReason == ASC_P_ACCEPTANCE) {
      entry->accepted = true;
      continue;
    }
    for (int t = 0; t < context.transferSyntaxCount; ++t) {
      const std::string name = sop_class_name(printable(context.proposedTransferSyntaxes[t]));
      if (entry->offered.find(name) == std::string::npos) entry->offered += (entry->offered.empty() ? "" : ", ") + name;
    }
    entry->reason = context.resultReason == ASC_P_ABSTRACTSYNTAXNOTSUPPORTED     ? "SOP class not stored by rtpof"
                    : context.resultReason == ASC_P_TRANSFERSYNTAXESNOTSUPPORTED ? "no offered transfer syntax is read"
                    : context.resultReason == ASC_P_USERREJECTION                ? "rejected"
                                                                                 : "no reason given";
  }
  const auto& stored_classes = accepted_storage_sop_classes();
  std::string line;
  std::uint64_t refused = 0;
  for (const Refusal& r : classes) {
    if (r.accepted) continue;
    line += (line.empty() ? "" : "; ") + sop_class_name(r.sop_class) + " [" + r.offered + "]: " + r.reason;
    ++refused;
    if (std::find(stored_classes.begin(), stored_classes.end(), r.sop_class) == stored_classes.end()) continue;
    try {
      context_.archive.index().instances().record_refused_context(
          {calling_ae_, r.sop_class, r.offered, r.reason, 1, storage::utc_iso8601()});
    } catch (const std::exception& e) {
      context_.logger->warn("association from {}: the refused context could not be indexed: {}", peer(), e.what());
    }
  }
  if (refused == 0) return;
  context_.stats.contexts_refused += refused;
  context_.logger->info("association from {}: refused contexts ({} SOP classes): {}", peer(), refused, line);
}

void StoreWorker::notifyReleaseRequest() { ending_ = "released"; }
void StoreWorker::notifyAbortRequest() { ending_ = "aborted by the peer"; }
void StoreWorker::notifyDIMSEError(const OFCondition& condition) {
  ending_ = std::string("ended on a network error (") + condition.text() + ")";
}

void StoreWorker::notifyAssociationTermination() {
  if (!acknowledged_) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  context_.logger->info("association {}: from {}; {} stored, {} duplicate, {} refused, {:.1f} MB in {:.2f} s",
                        ending_, peer(), stored_, duplicates_, refused_, static_cast<double>(bytes_) / 1e6, seconds);
  if (received_.studies.empty() || !context_.observer.ended) return;
  received_.calling_ae = calling_ae_;
  received_.called_ae = called_ae_;
  received_.peer_address = calling_address_;
  received_.tls = context_.tls;
  received_.refused = refused_;
  try {
    context_.observer.ended(received_);
  } catch (const std::exception& e) {
    context_.logger->error("the audit of the association from {} failed: {}", peer(), e.what());
  }
}

void StoreWorker::note_received(const storage::IngestOutcome& outcome) {
  if (!context_.observer.ended) return;  // nobody listens: nothing to gather
  const auto& a = outcome.attributes;
  ReceivedStudy& study = received_.studies[a.study_instance_uid];
  study.patient_id = a.patient_id;
  study.patient_name = a.patient_name;
  study.character_set = a.specific_character_set;
  if (!a.study_description.empty()) study.study_description = a.study_description;
  ++study.instances_by_sop_class[a.sop_class_uid];
  using Result = storage::IngestOutcome::Result;
  ++(outcome.result == Result::duplicate ? study.duplicate
     : outcome.result == Result::replaced ? study.replaced : study.stored);
}

void StoreWorker::notifyRECEIVEProgress(const unsigned long /*byte_count*/) {
  // What has arrived so far starts on its way to the disk; durability still comes from the fsync.
  if (receiving_ != nullptr) receiving_->start_writeback();
}

// DCMTK reads a UI value that starts with '=' as a UID's *name* to look up ("=CTImageStorage"). A peer's
// such value makes building the response fail inside DIMSE, which then leaks the element it made
// (DCMTK 3.6.7; found by the association fuzzer). No UID starts with '=': the value is answered as
// empty, and said in the log.
void StoreWorker::disarm_uid_name(char* uid, const char* field) {
  if (uid[0] != '=') return;
  context_.logger->warn("{} from {} is not a UID (\"{}\"): answered as empty", field, peer(), printable(uid));
  uid[0] = '\0';
}

OFCondition StoreWorker::handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) {
  if (message->CommandField == DIMSE_C_STORE_RQ) {
    disarm_uid_name(message->msg.CStoreRQ.AffectedSOPClassUID, "the C-STORE's Affected SOP Class UID");
    disarm_uid_name(message->msg.CStoreRQ.AffectedSOPInstanceUID, "the C-STORE's Affected SOP Instance UID");
  } else if (message->CommandField == DIMSE_C_ECHO_RQ) {
    disarm_uid_name(message->msg.CEchoRQ.AffectedSOPClassUID, "the C-ECHO's Affected SOP Class UID");
  }
  if (message->CommandField == DIMSE_C_STORE_RQ)
    return handle_store(message->msg.CStoreRQ, info.presentationContextID);
  return DcmThreadSCP::handleIncomingCommand(message, info);
}

OFCondition StoreWorker::handle_store(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id) {
  const auto started = std::chrono::steady_clock::now();
  const std::string sop_instance = printable(request.AffectedSOPInstanceUID);
  const std::string sop_class = printable(request.AffectedSOPClassUID);

  if (const auto full = context_.archive.refuses_new_instances()) {
    // The dataset must still be read off the wire; it goes nowhere.
    DcmDataset* discarded = nullptr;
    const OFCondition received = receiveSTORERequest(request, presentation_id, discarded);
    std::unique_ptr<DcmDataset> owner(discarded);
    if (received.bad()) return received;
    ++refused_;
    ++context_.stats.instances_refused;
    context_.logger->error("instance refused ({}): sop={} from {}: {}; the sender keeps it and may send it again later",
                           hex_status(status_out_of_resources), sop_instance, peer(), *full);
    return sendSTOREResponse(presentation_id, request, status_out_of_resources);
  }

  storage::IncomingFile incoming = context_.archive.new_incoming_file();
  receiving_ = &incoming;
  const OFCondition received = receiveSTORERequest(request, presentation_id, incoming.path().c_str());
  receiving_ = nullptr;
  if (received.bad()) {
    // Nothing was acknowledged; the peer sees the association end and can send again.
    context_.logger->error("instance not received: sop={} from {}: {}; nothing was acknowledged, the sender must send "
                           "it again (check the network between them if this repeats)",
                           sop_instance, peer(), received.text());
    return received;
  }

  Uint16 status = STATUS_Success;
  try {
    const auto outcome = context_.archive.ingest(std::move(incoming), {sop_class, sop_instance}, calling_ae_);
    const auto& a = outcome.attributes;
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    using Result = storage::IngestOutcome::Result;
    note_received(outcome);
    if (outcome.result == Result::duplicate) {
      ++duplicates_;
      ++context_.stats.instances_duplicate;
      context_.logger->debug("instance already stored, identical: {} sop={} patient={} from {}", a.modality,
                            a.sop_instance_uid, outcome.pseudonym, peer());
    } else {
      ++stored_;
      bytes_ += outcome.size_bytes;
      ++context_.stats.instances_stored;
      context_.stats.bytes_stored += outcome.size_bytes;
      // Per instance at debug: a CT series is hundreds of lines; info has each association's counts.
      context_.logger->debug("instance stored: {} {} sop={} series={} patient={} bytes={} ms={:.1f} from {}",
                            a.modality, sop_class_name(a.sop_class_uid), a.sop_instance_uid, a.series_instance_uid,
                            outcome.pseudonym, outcome.size_bytes, ms, peer());
      if (outcome.result == Result::replaced)
        context_.logger->warn("instance {} arrived again with different content; the older version was kept at {}",
                              a.sop_instance_uid, outcome.superseded_path.string());
    }
  } catch (const IngestError& e) {
    status = status_for(e.kind());
    ++refused_;
    ++context_.stats.instances_refused;
    const auto log_level = e.kind() == IngestError::Kind::out_of_resources ? spdlog::level::err : spdlog::level::warn;
    context_.logger->log(log_level, "instance refused ({}): {} sop={} from {}: {}", hex_status(status),
                         sop_class_name(sop_class), sop_instance, peer(), printable(e.what()));
  } catch (const std::exception& e) {
    status = status_processing_failure;
    ++refused_;
    ++context_.stats.instances_refused;
    context_.logger->error("instance refused ({}): sop={} from {}: unexpected error: {}; nothing was kept and the "
                           "sender may send it again; if this repeats, keep this line and the instance and report it",
                           hex_status(status), sop_instance, peer(), printable(e.what()));
  }
  return sendSTOREResponse(presentation_id, request, status);
}

}  // namespace rtpof::scp
