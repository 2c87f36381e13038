#include "report/encapsulated_pdf_writer.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>

#include "report/dataset_modules.hpp"
#include "report/report_uid.hpp"
#include "report/report_writer.hpp"

namespace rtpof::report {
namespace {

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
  put_text(item, tag, value, "Encapsulated PDF");
}

}  // namespace

std::string encapsulated_pdf_uid(const ReportContext& context) {
  return name_based_uid("rtpof PDF of report " + context.identity.sop_instance_uid);
}

std::string encapsulated_pdf_series_uid(const std::string& study_uid) {
  return name_based_uid(study_uid + "/rtpof PDF series");
}

void write_encapsulated_pdf(const std::vector<unsigned char>& pdf, const ReportContext& context, DcmFileFormat& out) {
  if (pdf.size() < 5 || std::string(pdf.begin(), pdf.begin() + 5) != "%PDF-")
    throw ReportError("building the Encapsulated PDF: the document is not a PDF");
  out.clear();
  DcmDataset& d = *out.getDataset();
  const ReportSubject& s = context.subject;
  put_identity_patient_and_study(d, UID_EncapsulatedPDFStorage, encapsulated_pdf_uid(context), s, "Encapsulated PDF");
  put(d, DCM_Modality, "DOC");
  put(d, DCM_SeriesInstanceUID, encapsulated_pdf_series_uid(s.study_uid));
  put(d, DCM_SeriesNumber, "9753");
  put(d, DCM_SeriesDescription, "rtpof recurrence dose report");
  put(d, DCM_Manufacturer, context.device.manufacturer);
  put(d, DCM_ManufacturerModelName, context.device.model);
  put(d, DCM_SoftwareVersions, context.device.version);
  put(d, DCM_ConversionType, "SYN");  // synthetic: drawn by software, not scanned
  put(d, DCM_InstanceNumber, std::to_string(context.identity.instance_number));
  put(d, DCM_ContentDate, context.identity.content_date);
  put(d, DCM_ContentTime, context.identity.content_time);
  put(d, DCM_AcquisitionDateTime, context.identity.content_date + context.identity.content_time);
  put(d, DCM_InstanceCreationDate, context.identity.content_date);
  put(d, DCM_InstanceCreationTime, context.identity.content_time);
  // The page names the pseudonym and the study date, not the patient: no identifying burned-in text.
  put(d, DCM_BurnedInAnnotation, "NO");
  put(d, DCM_DocumentTitle, "rtpof recurrence dose analysis");
  if (d.insertEmptyElement(DCM_ConceptNameCodeSequence).bad())  // type 2: present, empty
    throw ReportError("building the Encapsulated PDF: cannot add the Concept Name Code Sequence");
  put(d, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  // The SR this page illustrates.
  DcmItem* source = nullptr;
  if (d.findOrCreateSequenceItem(DCM_SourceInstanceSequence, source, -2).bad() || !source)
    throw ReportError("building the Encapsulated PDF: cannot add the Source Instance Sequence");
  put(*source, DCM_ReferencedSOPClassUID, UID_EnhancedSRStorage);
  put(*source, DCM_ReferencedSOPInstanceUID, context.identity.sop_instance_uid);
  // OB of even length: a PDF of odd length gets one padding NUL, and its true length is recorded.
  std::vector<Uint8> bytes(pdf.begin(), pdf.end());
  put(d, DCM_EncapsulatedDocumentLength, std::to_string(pdf.size()));
  if (bytes.size() % 2) bytes.push_back(0);
  const OFCondition status = d.putAndInsertUint8Array(DCM_EncapsulatedDocument, bytes.data(), static_cast<unsigned long>(bytes.size()));
  if (status.bad()) throw ReportError(std::string("building the Encapsulated PDF: EncapsulatedDocument: ") + status.text());
}

void write_encapsulated_pdf_file(const std::vector<unsigned char>& pdf, const ReportContext& context,
                                 const std::filesystem::path& file) {
  DcmFileFormat document;
  write_encapsulated_pdf(pdf, context, document);
  const OFCondition status = document.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) throw std::runtime_error("cannot write the Encapsulated PDF " + file.string() + ": " + status.text());
}

}  // namespace rtpof::report
