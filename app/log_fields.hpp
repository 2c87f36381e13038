#pragma once
// The structured fields of one of the node's log lines, for the journal and JSON lines: which job, which
// patient (the keyed pseudonym, never an identifier), which class, and what kind of event. They are read
// from the line's own wording, which the node writes in a few fixed shapes ("job 12 done in ...",
// "patient p0123456789abcdef: case complete ..."), in this one place, so that a log shipper need not.
#include <string>
#include <utility>
#include <vector>

namespace rtpof::app {

// (NAME, value) pairs: RTPOF_EVENT, RTPOF_JOB, RTPOF_PATIENT, RTPOF_CLASS, each only when the line says it.
std::vector<std::pair<std::string, std::string>> log_fields(const std::string& message);

}  // namespace rtpof::app
