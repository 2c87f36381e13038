#pragma once
// What `rtpof inspect` says about the objects rtpof itself wrote, read back from their datasets: the
// summary lines of an SR (its document-level "Recurrence classification summary" evaluations) and the
// title and size of an Encapsulated PDF. The counterpart of the writers, kept beside them so that the
// codes cannot drift.
#include <cstddef>
#include <string>
#include <vector>

class DcmItem;

namespace rtpof::report {

// The SR's summary lines, in document order; empty for an SR that is not rtpof's.
std::vector<std::string> report_summaries(DcmItem& dataset);

struct EncapsulatedDocument {
  std::string title, mime_type;
  std::size_t bytes = 0;  // the document's own length (Encapsulated Document Length, else the element's)
};
EncapsulatedDocument encapsulated_document(DcmItem& dataset);

}  // namespace rtpof::report
