#pragma once
// The SOP classes and transfer syntaxes the node accepts (docs/conformance-statement.md lists them).
#include <string>
#include <vector>

class DcmSCPConfig;

namespace rtpof::scp {

const std::vector<std::string>& accepted_storage_sop_classes();
const std::vector<std::string>& accepted_transfer_syntaxes();

// Adds Verification and every accepted storage SOP class, each with every accepted transfer syntax.
void add_presentation_contexts(DcmSCPConfig& config);

}  // namespace rtpof::scp
