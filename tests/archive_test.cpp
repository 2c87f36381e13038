// The store's promises, on real files and a real SQLite index: what is kept, what is refused and why,
// and that the index can always be rebuilt from the files.
#include "storage/archive.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrui.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "phantom/phantom_writer.hpp"
#include "storage/content_hash.hpp"
#include "storage/dicom_codecs.hpp"
#include "tests/support/dicom_files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace fs = std::filesystem;
using namespace rtpof::storage;
using rtpof::testing::TempDir;

namespace {

std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto spec = rtpof::phantom::PhantomSpec::small(7);
    spec.slices = 12;
    files_ = rtpof::phantom::write_planning_objects(spec, source_.path());
  }

  // Copies a source file into the archive's incoming area, as the SCP would have received it.
  IncomingFile incoming(Archive& archive, const fs::path& source) {
    IncomingFile file = archive.new_incoming_file();
    fs::copy_file(source, file.path());
    return file;
  }

  IngestOutcome ingest(Archive& archive, const fs::path& source) {
    return archive.ingest(incoming(archive, source),
                          {rtpof::testing::string_of(source, DCM_SOPClassUID),
                           rtpof::testing::string_of(source, DCM_SOPInstanceUID)},
                          "TESTSCU");
  }

  IngestError::Kind refusal(Archive& archive, const fs::path& source, const AnnouncedIdentity& announced) {
    try {
      archive.ingest(incoming(archive, source), announced, "TESTSCU");
    } catch (const IngestError& e) {
      last_reason_ = e.what();
      return e.kind();
    }
    ADD_FAILURE() << "ingest of " << source << " was not refused";
    return IngestError::Kind::out_of_resources;
  }

  std::size_t files_below(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
  }

  TempDir source_, data_;
  rtpof::phantom::PlanningFiles files_;
  std::string last_reason_;
};

TEST_F(ArchiveTest, StoresUnderPseudonymStudySeriesAndIndexes) {
  Archive archive({data_.path()}, quiet_logger());
  const auto outcome = ingest(archive, files_.ct[0]);
  EXPECT_EQ(outcome.result, IngestOutcome::Result::stored);
  const auto& a = outcome.attributes;
  EXPECT_EQ(outcome.path, data_.path() / "store" / outcome.pseudonym / a.study_instance_uid / a.series_instance_uid /
                              (a.sop_instance_uid + ".dcm"));
  EXPECT_TRUE(fs::exists(outcome.path));
  EXPECT_EQ(dataset_sha256(outcome.path), dataset_sha256(files_.ct[0]));
  EXPECT_EQ(outcome.pseudonym.find(files_.patient_id), std::string::npos);
  EXPECT_EQ(archive.counts().instances, 1);
  EXPECT_TRUE(fs::is_empty(data_.path() / "store" / ".incoming"));
}

// The SCP has the kernel write a file back while it still arrives (IncomingFile::start_writeback), so
// that the fsync at its end waits only for the tail. The descriptor that takes must end with the file's
// time in the archive: one per received instance kept open would exhaust the node's within a day.
std::size_t descriptors_on(const fs::path& file) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target = fs::read_symlink(entry.path(), error).string();
    if (!error && target.rfind(file.string(), 0) == 0) ++n;  // also "<file> (deleted)"
  }
  return n;
}

TEST_F(ArchiveTest, AFileWrittenBackWhileArrivingIsStoredWholeAndNoDescriptorOutlivesIt) {
  Archive archive({data_.path()}, quiet_logger());
  const fs::path source = files_.ct[2];
  std::ifstream in(source, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const AnnouncedIdentity announced{rtpof::testing::string_of(source, DCM_SOPClassUID),
                                    rtpof::testing::string_of(source, DCM_SOPInstanceUID)};

  // Received in two parts, as DCMTK writes it, with a writeback call before it exists and after each part.
  auto receive = [&] {
    IncomingFile file = archive.new_incoming_file();
    const fs::path path = file.path();
    file.start_writeback();
    EXPECT_EQ(descriptors_on(path), 0u) << "nothing to open before the receiver creates the file";
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2)).flush();
    file.start_writeback();
    out.write(bytes.data() + bytes.size() / 2, static_cast<std::streamsize>(bytes.size() - bytes.size() / 2)).flush();
    file.start_writeback();
    out.close();
    EXPECT_EQ(descriptors_on(path), 1u) << "one descriptor, kept for the fsync";
    return std::make_pair(std::move(file), path);
  };

  auto [first, first_path] = receive();
  const IngestOutcome stored = archive.ingest(std::move(first), announced, "TESTSCU");
  ASSERT_EQ(stored.result, IngestOutcome::Result::stored);
  EXPECT_EQ(fs::file_size(stored.path), bytes.size());
  EXPECT_EQ(dataset_sha256(stored.path), dataset_sha256(source));
  EXPECT_EQ(descriptors_on(first_path), 0u);
  EXPECT_EQ(descriptors_on(stored.path), 0u) << "the descriptor followed the file into the store";

  // The same instance again: a duplicate, whose temporary copy goes with its descriptor.
  auto [second, second_path] = receive();
  EXPECT_EQ(archive.ingest(std::move(second), announced, "TESTSCU").result, IngestOutcome::Result::duplicate);
  EXPECT_FALSE(fs::exists(second_path));
  EXPECT_EQ(descriptors_on(second_path), 0u) << "a removed file's descriptor would hold its blocks";
  EXPECT_TRUE(fs::is_empty(data_.path() / "store" / ".incoming"));
}

TEST_F(ArchiveTest, IndexesTheReferenceChain) {
  Archive archive({data_.path()}, quiet_logger());
  const auto dose = ingest(archive, files_.rtdose).attributes;
  const auto plan = ingest(archive, files_.rtplan).attributes;
  const auto structures = ingest(archive, files_.rtstruct).attributes;
  const auto plan_uid = rtpof::testing::string_of(files_.rtplan, DCM_SOPInstanceUID);
  const auto struct_uid = rtpof::testing::string_of(files_.rtstruct, DCM_SOPInstanceUID);
  EXPECT_EQ(archive.index().instances().references_of(dose.sop_instance_uid), (std::vector<ReferencedUid>{{"rtplan", plan_uid}}));
  EXPECT_EQ(archive.index().instances().references_of(plan.sop_instance_uid),
            (std::vector<ReferencedUid>{{"rtstruct", struct_uid}}));
  EXPECT_EQ(archive.index().instances().references_of(structures.sop_instance_uid),
            (std::vector<ReferencedUid>{{"frame", files_.frame_of_reference_uid},
                                        {"series", files_.ct_series_instance_uid}}));
}

TEST_F(ArchiveTest, IdenticalResendIsADuplicateWithoutACopy) {
  Archive archive({data_.path()}, quiet_logger());
  ingest(archive, files_.ct[1]);
  const std::size_t before = files_below(data_.path() / "store");
  EXPECT_EQ(ingest(archive, files_.ct[1]).result, IngestOutcome::Result::duplicate);
  EXPECT_EQ(files_below(data_.path() / "store"), before);
  EXPECT_EQ(archive.counts().instances, 1);
}

// What a PACS forwards "as stored" or re-encodes is the same instance: identity is the content
// (storage/content_hash.hpp), decoded by the peers' own codecs here (DCMTK's, GDCM's OpenJPEG).
TEST_F(ArchiveTest, TheSameInstanceInAnotherEncodingIsADuplicateAndOneChangedPixelIsNot) {
  Archive archive({data_.path()}, quiet_logger());
  const fs::path original = files_.ct[1];
  ASSERT_EQ(ingest(archive, original).result, IngestOutcome::Result::stored);
  const std::vector<std::vector<std::string>> encoders = {
      {"dcmconv", "+ti"}, {"dcmconv", "+tb"}, {"dcmcjpls"}, {"dcmcrle"}, {"dcmcjpeg", "+e1"}, {"gdcmconv", "--j2k"}};
  for (const auto& encoder : encoders) {
    const fs::path copy = source_.path() / ("copy-" + encoder[0] + encoder.back() + ".dcm");
    std::vector<std::string> argv = encoder;
    argv.insert(argv.end(), {original.string(), copy.string()});
    const rtpof::testing::RunResult made = rtpof::testing::run(argv);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_EQ(canonical_content_sha256(copy), canonical_content_sha256(original)) << encoder[0] << " " << encoder.back();
    EXPECT_EQ(ingest(archive, copy).result, IngestOutcome::Result::duplicate) << encoder[0] << " " << encoder.back();
  }
  EXPECT_EQ(files_below(data_.path() / "store" / ".superseded"), 0u);

  // One pixel's lowest bit, then JPEG 2000: a real change, decoded and seen.
  const fs::path changed = source_.path() / "changed.dcm", changed_j2k = source_.path() / "changed-j2k.dcm";
  rtpof::testing::rewrite(original, changed, [](DcmDataset& d) {
    const Uint16* pixels = nullptr;
    ASSERT_TRUE(d.findAndGetUint16Array(DCM_PixelData, pixels).good());
    Uint16 first = static_cast<Uint16>(pixels[0] ^ 1u);
    DcmElement* element = nullptr;
    ASSERT_TRUE(d.findAndGetElement(DCM_PixelData, element).good());
    Uint16* writable = nullptr;
    ASSERT_TRUE(element->getUint16Array(writable).good());
    writable[0] = first;
  });
  ASSERT_EQ(rtpof::testing::run({"gdcmconv", "--j2k", changed.string(), changed_j2k.string()}).exit_code, 0);
  EXPECT_NE(canonical_content_sha256(changed_j2k), canonical_content_sha256(original));
  EXPECT_EQ(ingest(archive, changed_j2k).result, IngestOutcome::Result::replaced);
}

// A codestream that decodes to another size than Rows x Columns says is not decoded into a wrong image.
TEST_F(ArchiveTest, AJpeg2000CodestreamThatDisagreesWithRowsIsNotDecoded) {
  const fs::path j2k = source_.path() / "ct-j2k.dcm";
  ASSERT_EQ(rtpof::testing::run({"gdcmconv", "--j2k", files_.ct[0].string(), j2k.string()}).exit_code, 0);
  EXPECT_EQ(canonical_content_sha256(j2k), canonical_content_sha256(files_.ct[0]));
  ASSERT_EQ(rtpof::testing::run({"dcmodify", "-nb", "-m", "(0028,0010)=100", j2k.string()}).exit_code, 0);
  try {
    canonical_content_sha256(j2k);
    ADD_FAILURE() << "a codestream of another size was decoded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("JPEG 2000"), std::string::npos) << e.what();
  }
  // Ingest still decides: the copy is not the same bytes as anything stored, so it is stored.
  Archive archive({data_.path()}, quiet_logger());
  EXPECT_EQ(ingest(archive, j2k).result, IngestOutcome::Result::stored);
}

// Lossy JPEG 2000 (.91) decodes too: to values near the original's (GDCM's encoder at quality 60 here:
// its quality is a PSNR against the 16-bit container, so 30 is noise for a 12-bit CT),
// and as another content, so it never passes for the uncompressed instance.
TEST_F(ArchiveTest, LossyJpeg2000DecodesNearTheOriginalAndIsAnotherContent) {
  const fs::path lossy = source_.path() / "ct-j2k-lossy.dcm";
  ASSERT_EQ(rtpof::testing::run({"gdcmconv", "--j2k", "--lossy", "-q", "60", files_.ct[0].string(), lossy.string()}).exit_code, 0);
  register_dicom_decoders();
  DcmFileFormat original_file, lossy_file;
  ASSERT_TRUE(original_file.loadFile(files_.ct[0].c_str()).good());
  ASSERT_TRUE(lossy_file.loadFile(lossy.c_str()).good());
  ASSERT_EQ(lossy_file.getDataset()->getOriginalXfer(), EXS_JPEG2000);
  ASSERT_TRUE(lossy_file.getDataset()->chooseRepresentation(EXS_LittleEndianExplicit, nullptr).good());
  const Uint16 *a = nullptr, *b = nullptr;
  unsigned long count_a = 0, count_b = 0;
  ASSERT_TRUE(original_file.getDataset()->findAndGetUint16Array(DCM_PixelData, a, &count_a).good());
  ASSERT_TRUE(lossy_file.getDataset()->findAndGetUint16Array(DCM_PixelData, b, &count_b).good());
  ASSERT_EQ(count_a, count_b);
  double sum = 0, range_low = 65535, range_high = 0;
  for (unsigned long i = 0; i < count_a; ++i) {
    sum += std::abs(static_cast<double>(a[i]) - b[i]);
    range_low = std::min<double>(range_low, a[i]);
    range_high = std::max<double>(range_high, a[i]);
  }
  // Mean absolute error under 2 % of the image's value range: the same image, not noise or another one.
  EXPECT_LT(sum / static_cast<double>(count_a), 0.02 * (range_high - range_low)) << "mean absolute error";
  std::cout << "lossy JPEG 2000 (q 60): mean absolute error " << sum / static_cast<double>(count_a) << " of a range of "
            << range_high - range_low << "\n";
  EXPECT_NE(canonical_content_sha256(lossy), canonical_content_sha256(files_.ct[0]));
}

// Issue 23 item 5: another patient's object, in another study, reusing a stored SOP Instance UID used to
// move the stored one aside and strand its case. It is refused (0x0111) and the stored one stays.
TEST_F(ArchiveTest, AnotherPatientsObjectReusingAUidIsRefusedAndDisplacesNothing) {
  Archive archive({data_.path()}, quiet_logger());
  const auto first = ingest(archive, files_.rtstruct);
  const fs::path clash = source_ / "clash.dcm";
  rtpof::testing::rewrite(files_.rtstruct, clash, [](DcmDataset& d) {
    d.putAndInsertString(DCM_PatientID, "SOMEONEELSE");
    d.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.9.7433.77.1");
  });
  try {
    ingest(archive, clash);
    ADD_FAILURE() << "a UID clash across patients was stored";
  } catch (const IngestError& e) {
    EXPECT_EQ(e.kind(), IngestError::Kind::duplicate_instance_uid);
    EXPECT_NE(std::string(e.what()).find("UID clash"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dataset_sha256(first.path), dataset_sha256(files_.rtstruct));
  EXPECT_EQ(archive.counts().instances, 1);
  EXPECT_EQ(files_below(data_.path() / "store" / ".superseded"), 0u);
}

// Issue 23 item 10: a UID with an embedded NUL or space, and a Modality that is no code string (an
// ANSI escape, a newline), are refused as 0xC000 with the value escaped in the reason.
TEST_F(ArchiveTest, MalformedUidsAndModalitiesAreRefused) {
  Archive archive({data_.path()}, quiet_logger());
  const std::vector<std::pair<std::string, std::function<void(DcmDataset&)>>> cases = {
      {"NUL in a UID", [](DcmDataset& d) {
         d.findAndDeleteElement(DCM_SeriesInstanceUID);
         auto element = std::make_unique<DcmUniqueIdentifier>(DCM_SeriesInstanceUID);
         const char value[] = "1.2.826.0.1\0" "99";
         element->putString(value, sizeof value - 1);
         d.insert(element.release(), true);  // the data set owns it from here
       }},
      {"space in a UID", [](DcmDataset& d) { d.putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0 1.99"); }},
      {"escape in Modality", [](DcmDataset& d) { d.putAndInsertString(DCM_Modality, "\x1b[31mRT"); }},
      {"newline in Modality", [](DcmDataset& d) { d.putAndInsertString(DCM_Modality, "RT\nSTRUCT"); }},
  };
  for (const auto& [name, change] : cases) {
    const fs::path bad = source_ / "bad.dcm";
    rtpof::testing::rewrite(files_.rtstruct, bad, change);
    try {
      ingest(archive, bad);
      ADD_FAILURE() << name << ": stored";
    } catch (const IngestError& e) {
      EXPECT_EQ(e.kind(), IngestError::Kind::cannot_understand) << name << ": " << e.what();
      const std::string what = e.what();
      EXPECT_EQ(what.find_first_of(std::string("\x1b\n\0", 3)), std::string::npos) << name << ": " << what;
    }
  }
  EXPECT_EQ(archive.counts().instances, 0);
}

TEST_F(ArchiveTest, ChangedResendKeepsBothVersions) {
  Archive archive({data_.path()}, quiet_logger());
  const auto first = ingest(archive, files_.rtstruct);
  const fs::path changed = source_ / "changed.dcm";
  rtpof::testing::rewrite(files_.rtstruct, changed,
                          [](DcmDataset& d) { d.putAndInsertString(DCM_StructureSetLabel, "CORRECTED"); });
  const auto second = ingest(archive, changed);
  EXPECT_EQ(second.result, IngestOutcome::Result::replaced);
  ASSERT_TRUE(fs::exists(second.superseded_path));
  EXPECT_EQ(dataset_sha256(second.superseded_path), dataset_sha256(files_.rtstruct));
  EXPECT_EQ(dataset_sha256(second.path), dataset_sha256(changed));
  EXPECT_EQ(first.path, second.path);
  EXPECT_EQ(archive.counts().instances, 1);
}

TEST_F(ArchiveTest, RefusesDatasetThatDisagreesWithTheCommand) {
  Archive archive({data_.path()}, quiet_logger());
  const auto sop = rtpof::testing::string_of(files_.ct[0], DCM_SOPInstanceUID);
  EXPECT_EQ(refusal(archive, files_.ct[0], {UID_CTImageStorage, "1.2.3.4"}), IngestError::Kind::does_not_match_sop_class);
  EXPECT_NE(last_reason_.find("(0008,0018)"), std::string::npos) << last_reason_;
  EXPECT_EQ(refusal(archive, files_.ct[0], {UID_MRImageStorage, sop}), IngestError::Kind::does_not_match_sop_class);
  EXPECT_NE(last_reason_.find("(0008,0016)"), std::string::npos) << last_reason_;
  EXPECT_EQ(archive.counts().instances, 0);
}

TEST_F(ArchiveTest, RefusesPathLikeUidsAndWritesNothingOutsideTheStore) {
  Archive archive({data_.path()}, quiet_logger());
  const fs::path evil = source_ / "evil.dcm";
  const std::string bad_uid = "1.2.3/../../../../tmp/rtpof-escape";
  rtpof::testing::rewrite(files_.ct[0], evil, [&](DcmDataset& d) {
    d.putAndInsertString(DCM_SeriesInstanceUID, "../../outside");
    d.putAndInsertString(DCM_SOPInstanceUID, bad_uid.c_str());
  });
  EXPECT_EQ(refusal(archive, evil, {UID_CTImageStorage, bad_uid}), IngestError::Kind::cannot_understand);
  EXPECT_NE(last_reason_.find("not a valid UID"), std::string::npos) << last_reason_;
  EXPECT_EQ(files_below(data_.path() / "store"), 0u);
  EXPECT_FALSE(fs::exists("/tmp/rtpof-escape.dcm"));
}

TEST_F(ArchiveTest, RefusesTruncatedAndMissingAttributes) {
  Archive archive({data_.path()}, quiet_logger());
  const fs::path truncated = source_ / "truncated.dcm";
  {
    std::ifstream in(files_.ct[0], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  const auto sop = rtpof::testing::string_of(files_.ct[0], DCM_SOPInstanceUID);
  EXPECT_EQ(refusal(archive, truncated, {UID_CTImageStorage, sop}), IngestError::Kind::cannot_understand);

  const fs::path anonymous = source_ / "no-patient-id.dcm";
  rtpof::testing::rewrite(files_.ct[0], anonymous, [](DcmDataset& d) { d.putAndInsertString(DCM_PatientID, ""); });
  EXPECT_EQ(refusal(archive, anonymous, {UID_CTImageStorage, sop}), IngestError::Kind::does_not_match_sop_class);
  EXPECT_NE(last_reason_.find("(0010,0020) PatientID"), std::string::npos) << last_reason_;
  EXPECT_EQ(files_below(data_.path() / "store"), 0u);
}

TEST_F(ArchiveTest, QuotaRefusesWithOutOfResources) {
  Archive archive({data_.path(), /*quota_bytes=*/fs::file_size(files_.ct[0]) + 100}, quiet_logger());
  EXPECT_FALSE(archive.refuses_new_instances().has_value());
  ingest(archive, files_.ct[0]);
  // Room left, but not enough for the next file: refused after it arrived.
  const auto sop = rtpof::testing::string_of(files_.ct[1], DCM_SOPInstanceUID);
  EXPECT_EQ(refusal(archive, files_.ct[1], {UID_CTImageStorage, sop}), IngestError::Kind::out_of_resources);
  EXPECT_NE(last_reason_.find("quota"), std::string::npos) << last_reason_;
  EXPECT_EQ(archive.counts().instances, 1);
  // Quota fully used: refused before anything is received.
  Archive full({data_.path(), /*quota_bytes=*/fs::file_size(files_.ct[0])}, quiet_logger());
  ASSERT_TRUE(full.refuses_new_instances().has_value());
  EXPECT_NE(full.refuses_new_instances()->find("quota reached"), std::string::npos);
}

TEST_F(ArchiveTest, RecoveryRemovesTemporariesAndIndexesUntrackedFiles) {
  fs::path stored;
  {
    Archive archive({data_.path()}, quiet_logger());
    stored = ingest(archive, files_.ct[2]).path;
    ingest(archive, files_.ct[3]);
  }
  // A crash after the rename but before the index commit leaves a file the index lacks; one in the
  // middle of a receive leaves a temporary file.
  fs::remove(data_.path() / "index.sqlite");
  fs::remove(data_.path() / "index.sqlite-wal");
  fs::remove(data_.path() / "index.sqlite-shm");
  std::ofstream(data_.path() / "store" / ".incoming" / "123-4.part") << "partial";
  Archive archive({data_.path()}, quiet_logger());
  EXPECT_EQ(archive.counts().instances, 0);
  const auto report = archive.recover();
  EXPECT_EQ(report.temporary_files_removed, 1u);
  EXPECT_EQ(report.files_indexed, 2u);
  EXPECT_EQ(report.files_unreadable, 0u);
  EXPECT_EQ(archive.counts().instances, 2);
  EXPECT_TRUE(fs::exists(stored));
  // A second recovery finds nothing new.
  EXPECT_EQ(archive.recover().files_indexed, 0u);
}

TEST_F(ArchiveTest, RebuildFromFilesAloneGivesTheSameIndex) {
  Archive archive({data_.path()}, quiet_logger());
  for (const auto& f : {files_.ct[0], files_.ct[1], files_.rtstruct, files_.rtplan, files_.rtdose}) ingest(archive, f);
  const auto before = archive.counts();
  const auto report = archive.rebuild_index();
  const auto after = archive.counts();
  EXPECT_EQ(report.files_indexed, 5u);
  EXPECT_EQ(after.instances, before.instances);
  EXPECT_EQ(after.patients, before.patients);
  EXPECT_EQ(after.series, before.series);
  EXPECT_EQ(after.bytes, before.bytes);
  EXPECT_EQ(after.instances_by_modality, before.instances_by_modality);
}

TEST(Pseudonym, StableKeyedAndNotTheId) {
  TempDir dir;
  const auto a = Pseudonymizer::from_key_file(dir / "key");
  const auto again = Pseudonymizer::from_key_file(dir / "key");
  EXPECT_EQ(a.pseudonym("CANARY123", ""), again.pseudonym("CANARY123", ""));
  EXPECT_NE(a.pseudonym("CANARY123", ""), a.pseudonym("CANARY123", "OTHER-ISSUER"));
  EXPECT_EQ(a.pseudonym("CANARY123", "").find("CANARY"), std::string::npos);
  TempDir other;
  EXPECT_NE(a.pseudonym("CANARY123", ""), Pseudonymizer::from_key_file(other / "key").pseudonym("CANARY123", ""));
  EXPECT_EQ(fs::status(dir / "key").permissions() & fs::perms::group_read, fs::perms::none);
}

}  // namespace
