#pragma once
// Feeds the audit trail (audit/) from the node: the listener's received and refused associations, the
// sender's deliveries, and the node's start and stop. Only translation and the report file's patient:
// what a message holds is audit/'s.
#include <memory>
#include <optional>

#include "audit/audit_trail.hpp"
#include "delivery/outbox_sender.hpp"
#include "rules/node_config.hpp"
#include "scp/association_events.hpp"
#include "scp/tls_options.hpp"

namespace spdlog {
class logger;
}

namespace rtpof::app {

audit::AuditSettings audit_settings_from(const rules::NodeConfig& config, const std::optional<scp::TlsOptions>& tls);

// The listener's observer: an Instances Transferred message per association that brought instances,
// a Security Alert per refusal.
scp::AssociationObserver audit_observer(audit::AuditTrail& trail);

// An Export message for a delivered report; the patient is read from the report file as sent.
void audit_delivered(audit::AuditTrail& trail, const delivery::Delivered& delivered, spdlog::logger& log);

// An Application Activity message (start or stop), naming the user that runs the node.
void audit_application(audit::AuditTrail& trail, bool started);

}  // namespace rtpof::app
