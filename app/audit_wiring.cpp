#include "app/audit_wiring.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <set>

#include "audit/audit_message.hpp"

namespace rtpof::app {
namespace {

std::string host_name() {  // once, for the trail's source
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

std::string count_text(std::uint64_t n, const char* what) { return std::to_string(n) + " " + what; }

}  // namespace

audit::AuditSettings audit_settings_from(const rules::NodeConfig& config, const std::optional<scp::TlsOptions>& tls) {
  audit::AuditSettings settings;
  if (!config.audit_repository.empty()) {
    const auto address = rules::parse_audit_repository(config.audit_repository);
    settings.repository = audit::AuditRepository{
        address.tls ? audit::AuditRepository::Transport::tls : audit::AuditRepository::Transport::udp, address.host,
        address.port};
  }
  settings.file = config.audit_file;
  settings.source.source_id = config.audit_source_id.empty() ? config.ae_title : config.audit_source_id;
  settings.source.enterprise_site = config.audit_enterprise_site;
  settings.source.ae_title = config.ae_title;
  settings.source.host_name = host_name();
  settings.source.process_id = static_cast<long>(::getpid());
  settings.tls = tls;
  return settings;
}

scp::AssociationObserver audit_observer(audit::AuditTrail& trail) {
  if (!trail.enabled()) return {};
  scp::AssociationObserver observer;
  observer.ended = [&trail](const scp::AssociationSummary& summary) {
    audit::InstancesReceived event;
    event.source = {summary.calling_ae, summary.peer_address};
    event.destination = {summary.called_ae, trail.source().host_name};
    std::uint64_t stored = 0, duplicate = 0, replaced = 0;
    std::set<std::pair<std::string, std::string>> patients;
    for (const auto& [study_uid, study] : summary.studies) {
      stored += study.stored;
      duplicate += study.duplicate;
      replaced += study.replaced;
      event.studies.push_back({study_uid, audit::dicom_text_to_utf8(study.study_description, study.character_set),
                               study.instances_by_sop_class, {}});
      const std::string name = audit::dicom_text_to_utf8(study.patient_name, study.character_set);
      if (patients.insert({study.patient_id, name}).second) event.patients.push_back({study.patient_id, name});
    }
    // PS3.15 A.5.3.7: C when the receiver did not hold the instances, R when it held them, U when it
    // altered its holdings (a changed instance superseded the stored one).
    event.action = replaced > 0 ? 'U' : stored > 0 ? 'C' : 'R';
    event.some_refused = summary.refused > 0;
    event.outcome_description = count_text(stored, "stored") + ", " + count_text(duplicate, "identical copies") +
                                ", " + count_text(replaced, "corrections") + ", " +
                                count_text(summary.refused, "refused") + (summary.tls ? "; over TLS" : "");
    trail.record(event);
  };
  observer.refused = [&trail](const scp::AssociationRefusal& refusal) {
    audit::SecurityAlert alert;
    alert.kind = refusal.kind == scp::AssociationRefusal::Kind::other ? audit::SecurityAlert::Kind::association_refused
                                                                       : audit::SecurityAlert::Kind::node_authentication;
    alert.requestor = {refusal.calling_ae, refusal.peer_address};
    alert.node = {refusal.called_ae, trail.source().host_name};
    alert.reason = (refusal.kind == scp::AssociationRefusal::Kind::tls_failure ? "TLS handshake failed: " : "") +
                   refusal.reason;
    trail.record(alert);
  };
  return observer;
}

void audit_delivered(audit::AuditTrail& trail, const delivery::Delivered& delivered, spdlog::logger& log) {
  if (!trail.enabled()) return;
  audit::ReportExported event;
  event.source = {delivered.calling_ae, trail.source().host_name};
  event.destination = {delivered.destination.ae_title, delivered.destination.host};
  event.study.study_uid = delivered.report.study_uid;
  event.study.instances_by_sop_class[delivered.report.sop_class_uid] = 1;
  event.study.instance_uids = {delivered.report.sop_instance_uid};
  // The index keeps the patient's pseudonym only; the object that left names the patient. What is
  // read lies before the Study Instance UID, so the header is all that is read (not a PDF's document).
  DcmFileFormat file;
  if (file.loadFileUntilTag(delivered.report_file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                            ERM_autoDetect, DCM_StudyInstanceUID)
          .good()) {
    DcmDataset& data = *file.getDataset();
    OFString id, name, description, charset;
    data.findAndGetOFStringArray(DCM_PatientID, id);
    data.findAndGetOFStringArray(DCM_PatientName, name);
    data.findAndGetOFStringArray(DCM_StudyDescription, description);
    data.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
    event.patient = {audit::dicom_text_to_utf8(id.c_str(), charset.c_str()),
                     audit::dicom_text_to_utf8(name.c_str(), charset.c_str())};
    event.study.description = audit::dicom_text_to_utf8(description.c_str(), charset.c_str());
  } else {
    log.error("audit: report {} could not be read back for its patient; its Export message names the patient by "
              "pseudonym {}", delivered.report.sop_instance_uid, delivered.report.patient);
    event.patient = {delivered.report.patient, delivered.report.patient};
  }
  trail.record(event);
}

void audit_application(audit::AuditTrail& trail, bool started) {
  if (!trail.enabled()) return;
  audit::ApplicationActivity event;
  event.started = started;
  if (const passwd* user = ::getpwuid(::geteuid())) event.launcher = user->pw_name;
  trail.record(event);
}

}  // namespace rtpof::app
