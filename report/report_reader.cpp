#include "report/report_reader.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include "report/report_codes.hpp"

namespace rtpof::report {
namespace {

std::string text_of(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  return item.findAndGetOFStringArray(tag, value).good() ? std::string(value.c_str()) : std::string();
}

// The summaries are in the root's "Qualitative Evaluations" container (TID 1500).
bool is_summary(DcmItem& item) {
  DcmItem* concept_name = nullptr;
  if (item.findAndGetSequenceItem(DCM_ConceptNameCodeSequence, concept_name, 0).bad() || !concept_name) return false;
  const DSRCodedEntryValue summary = codes::summary();
  return text_of(*concept_name, DCM_CodeValue) == summary.getCodeValue().c_str() &&
         text_of(*concept_name, DCM_CodingSchemeDesignator) == summary.getCodingSchemeDesignator().c_str();
}

// Content items in document order, to the depth where rtpof puts its summaries (root > container > item).
void collect_summaries(DcmItem& parent, int depth, std::vector<std::string>& lines) {
  DcmSequenceOfItems* content = nullptr;
  if (depth > 2 || parent.findAndGetSequence(DCM_ContentSequence, content).bad() || !content) return;
  for (unsigned long i = 0; i < content->card(); ++i) {
    DcmItem* item = content->getItem(i);
    if (!item) continue;
    if (is_summary(*item)) lines.push_back(text_of(*item, DCM_TextValue));
    else collect_summaries(*item, depth + 1, lines);
  }
}

}  // namespace

std::vector<std::string> report_summaries(DcmItem& dataset) {
  std::vector<std::string> lines;
  collect_summaries(dataset, 0, lines);
  return lines;
}

EncapsulatedDocument encapsulated_document(DcmItem& dataset) {
  EncapsulatedDocument document;
  document.title = text_of(dataset, DCM_DocumentTitle);
  document.mime_type = text_of(dataset, DCM_MIMETypeOfEncapsulatedDocument);
  Uint32 length = 0;
  if (dataset.findAndGetUint32(DCM_EncapsulatedDocumentLength, length).good()) {
    document.bytes = length;
  } else {
    const Uint8* bytes = nullptr;
    unsigned long count = 0;
    if (dataset.findAndGetUint8Array(DCM_EncapsulatedDocument, bytes, &count).good()) document.bytes = count;
  }
  return document;
}

}  // namespace rtpof::report
