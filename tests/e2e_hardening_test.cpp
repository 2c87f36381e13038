// The node under hostile traffic (issue 23): refusal storms, thousands of associations, silent and
// half-sent connections, a data set nested thousands of levels deep, peer strings with control
// characters, and SIGTERM with an association still open. Each case ends with the node still serving
// (or, for SIGTERM, stopped within its grace) and nothing written outside the store.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <signal.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/dul.h>

#include "tests/support/echo_client.hpp"
#include "tests/support/node_fixture.hpp"
#include "tests/support/raw_store_client.hpp"

namespace rtpof::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ProcessFigures {
  long maps = 0, threads = 0, vm_kib = 0, fds = 0;
};

ProcessFigures figures_of(pid_t pid) {
  ProcessFigures f;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream maps(proc + "/maps");
  for (std::string line; std::getline(maps, line);) ++f.maps;
  std::ifstream status(proc + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) f.threads = std::stol(line.substr(8));
    if (line.rfind("VmSize:", 0) == 0) f.vm_kib = std::stol(line.substr(7));
  }
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(proc + "/fd")) ++f.fds;
  return f;
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Files anywhere below the data directory that are not the store, the index, the reports or the key.
std::vector<fs::path> files_outside_the_store(const fs::path& data_dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), data_dir).string();
    if (relative.rfind("store/", 0) == 0 || relative.rfind("reports/", 0) == 0 ||
        relative.rfind("index.sqlite", 0) == 0 || relative == "pseudonym.key" || relative == "rtpof.lock")
      continue;
    out.push_back(relative);
  }
  return out;
}

class Hardening : public NodeFixture {};

// The DCMTK 3.6.7 pool freed a worker while its thread was still starting: a few hundred fast
// refusals from parallel peers corrupted the heap. Four parallel loops of wrong-called-AE echoes.
TEST_F(Hardening, ParallelRefusalStormsLeaveTheNodeServing) {
  start_node();
  constexpr int loops = 4, per_loop = 300;
  std::atomic<int> refused{0}, other{0};
  std::vector<std::thread> peers;
  for (int l = 0; l < loops; ++l)
    peers.emplace_back([&] {
      for (int i = 0; i < per_loop; ++i)
        (echo_association(node_->port(), "WRONG") == EchoResult::refused ? refused : other)++;
    });
  for (auto& t : peers) t.join();
  EXPECT_EQ(refused.load(), loops * per_loop) << other.load() << " associations neither refused nor answered";
  EXPECT_EQ(echo_association(node_->port()), EchoResult::echoed) << node_->log();
  EXPECT_EQ(node_->stop(), 0) << node_->log();
}

// Every association used to leave its thread's stack mapped. Figures after 112 associations and
// after 5 000 more must agree within 5 %.
TEST_F(Hardening, FiveThousandAssociationsLeaveMappingsThreadsAndMemoryFlat) {
  start_node();
  // Warm-up keeps all 16 worker slots busy at once, so each slot's thread has made its malloc arena
  // (once per thread, bounded by max_associations) before the 5 000 that follow, one at a time.
  std::vector<std::thread> warmers;
  for (int l = 0; l < 16; ++l)
    warmers.emplace_back([&] {
      // At the limit a new association may find every slot still closing its last one: refused, as it should.
      for (int i = 0; i < 7; ++i) EXPECT_NE(echo_association(node_->port()), EchoResult::failed);
    });
  for (auto& t : warmers) t.join();
  const ProcessFigures warm = figures_of(node_->pid());
  int failures = 0;
  for (int i = 0; i < 5000; ++i) failures += echo_association(node_->port()) != EchoResult::echoed;
  const ProcessFigures after = figures_of(node_->pid());
  EXPECT_EQ(failures, 0);
  std::cout << "after 112: maps " << warm.maps << ", threads " << warm.threads << ", VmSize " << warm.vm_kib
            << " KiB, fds " << warm.fds << "; after 5112: maps " << after.maps << ", threads " << after.threads
            << ", VmSize " << after.vm_kib << " KiB, fds " << after.fds << "\n";
  EXPECT_LE(after.maps, warm.maps * 105 / 100);
  EXPECT_LE(after.threads, warm.threads * 105 / 100);
  EXPECT_LE(after.vm_kib, warm.vm_kib * 105 / 100);
  // Descriptors are not a Done-when figure here (the soak bench watches them): an association or a
  // WAL file may be open at the moment of either reading.
  EXPECT_LE(after.fds, warm.fds + 4);
}

// 50 connections that say nothing and 5 that send half an A-ASSOCIATE-RQ must not delay a real peer.
TEST_F(Hardening, SilentAndHalfSentConnectionsDoNotDelayAnEcho) {
  start_node();
  std::vector<int> held;
  for (int i = 0; i < 50; ++i) held.push_back(connect_to(node_->port()));
  // An A-ASSOCIATE-RQ header announcing 300 bytes, and 60 of them.
  std::string half("\x01\x00\x00\x00\x01\x2c", 6);
  half += std::string("\x00\x01\x00\x00", 4) + std::string(56, 'A');
  for (int i = 0; i < 5; ++i) {
    const int fd = connect_to(node_->port());
    ASSERT_EQ(::send(fd, half.data(), half.size(), 0), static_cast<ssize_t>(half.size()));
    held.push_back(fd);
  }
  for (const int fd : held) ASSERT_GE(fd, 0);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const auto started = Clock::now();
    EXPECT_EQ(echo_association(node_->port()), EchoResult::echoed);
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_LT(seconds, 2.0) << "echo " << attempt << " took " << seconds << " s";
  }
  for (const int fd : held) ::close(fd);
}

// A C-STORE whose data set nests 10 000 sequences overflowed the stack (SIGSEGV, no log line).
TEST_F(Hardening, ADeeplyNestedDataSetIsRefusedAndTheNodeGoesOn) {
  start_node();
  const fs::path file = source_ / "nested.dcm";
  fs::create_directories(source_.path());
  const std::string uid = "1.2.826.0.1.3680043.9.7433.99.1";
  std::ofstream(file, std::ios::binary) << nested_sequence_file_bytes(10000, uid);
  RawStoreRequest request;
  request.port = node_->port();
  request.sop_class_uid = "1.2.840.10008.5.1.4.1.1.481.5";
  request.announced_sop_instance_uid = uid;
  request.file = file;
  request.stream_raw_bytes = true;
  const unsigned status = raw_store(request);
  EXPECT_EQ(status & 0xF000, 0xC000u) << std::hex << status;
  EXPECT_NE(node_->log().find("sequences nested more than 128 levels deep"), std::string::npos) << node_->log();
  EXPECT_TRUE(stored_datasets().empty());
  for (const auto& stray : files_outside_the_store(data_dir())) ADD_FAILURE() << "written outside the store: " << stray;
  EXPECT_EQ(echo_association(node_->port()), EchoResult::echoed);
  // A real object's nesting still passes: the same file 20 levels deep is parsed (and then refused
  // only for what an RTPLAN lacks, not for its depth).
  const fs::path shallow = source_ / "shallow.dcm";
  std::ofstream(shallow, std::ios::binary) << nested_sequence_file_bytes(20, uid + "0");
  request.file = shallow;
  request.announced_sop_instance_uid = uid + "0";
  raw_store(request);
  const std::string log = node_->log();
  std::size_t refusals = 0;
  for (auto at = log.find("sequences nested more than 128"); at != std::string::npos;
       at = log.find("sequences nested more than 128", at + 1))
    ++refusals;
  EXPECT_EQ(refusals, 1u) << "only the 10 000-deep file is refused for its depth:\n" << log;
}

// A called AE title with a newline forged a log line; ANSI escapes reached the terminal raw.
TEST_F(Hardening, ControlCharactersFromPeersAreEscapedInTheLog) {
  start_node();
  EXPECT_EQ(echo_association(node_->port(), "X\nFORGED line", "\x1b[31mRED"), EchoResult::refused);
  const std::string log = node_->log();
  EXPECT_FALSE(std::regex_search(log, std::regex("^FORGED", std::regex::multiline))) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << log;
  EXPECT_NE(log.find("X\\x0AFORGED"), std::string::npos) << log;
  EXPECT_NE(log.find("\\x1B[31mRED"), std::string::npos) << log;
}

// shutdown_grace_s was never applied: one idle association kept the node up 61 s past SIGTERM with a
// 30 s grace. With a 2 s grace, an association that stays open is cut and the node exits 0 soon after.
TEST_F(Hardening, SigtermWaitsTheGraceThenAbortsWhatIsLeft) {
  const fs::path config = write_config("[node]\nshutdown_grace_s = 2\naccept_any_caller = true\n");
  start_node({"--config", config.string()});
  const int fd = connect_to(node_->port());
  ASSERT_GE(fd, 0);
  // A whole A-ASSOCIATE-RQ, made by DCMTK in another thread that then holds the association open.
  std::atomic<bool> done{false};
  std::thread holder([&] {
    T_ASC_Network* network = nullptr;
    ASC_initializeNetwork(NET_REQUESTOR, 0, 30, &network);
    T_ASC_Parameters* params = nullptr;
    ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(params, "HOLDER", "RTPOF", nullptr);
    const std::string peer = "127.0.0.1:" + std::to_string(node_->port());
    ASC_setPresentationAddresses(params, "localhost", peer.c_str());
    const char* syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
    ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, syntaxes, 1);
    T_ASC_Association* assoc = nullptr;
    if (ASC_requestAssociation(network, params, &assoc).good()) {
      while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ASC_abortAssociation(assoc);
    }
    if (assoc) ASC_destroyAssociation(&assoc);
    ASC_dropNetwork(&network);
  });
  ::close(fd);
  for (int i = 0; i < 100 && node_->log().find("association accepted: from \"HOLDER\"") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto started = Clock::now();
  const int code = node_->stop(std::chrono::seconds(20));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  done = true;
  holder.join();
  EXPECT_EQ(code, 0) << node_->log();
  EXPECT_GE(seconds, 1.5) << "the running association was not given its grace";
  EXPECT_LT(seconds, 8.0) << node_->log();
  EXPECT_NE(node_->log().find("still running after the 2 s grace were aborted"), std::string::npos) << node_->log();
}

// SIGTERM while an instance is half received: the sender has sent the command and half of the data
// set's one P-DATA PDU and waits. After the 2 s grace the association is aborted, nothing of it is in
// the store or the index, the incoming file is gone, and the next start serves with nothing to recover.
TEST_F(Hardening, SigtermMidReceiveAbortsThatInstanceAndLeavesNoTrace) {
  const fs::path config = write_config("[node]\nshutdown_grace_s = 2\naccept_any_caller = true\n");
  start_node({"--config", config.string()});
  // tests/fuzz/seeds/association/store.bin: A-ASSOCIATE-RQ, P-DATA (C-STORE-RQ of an RT Plan), P-DATA
  // (its data set), A-RELEASE-RQ, as a peer sends them.
  const std::string bytes = read_text(source_dir() / "tests/fuzz/seeds/association/store.bin");
  auto pdu_end = [&](std::size_t start) {
    const auto b = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
    return start + 6 + (b(start + 2) << 24 | b(start + 3) << 16 | b(start + 4) << 8 | b(start + 5));
  };
  const std::size_t request_end = pdu_end(0), command_end = pdu_end(request_end), data_end = pdu_end(command_end);
  ASSERT_LT(data_end, bytes.size());
  const int fd = connect_to(node_->port());
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::send(fd, bytes.data(), request_end, MSG_NOSIGNAL), static_cast<ssize_t>(request_end));
  char answer[512];
  ASSERT_GT(::recv(fd, answer, sizeof answer, 0), 0);
  ASSERT_EQ(answer[0], 0x02) << "the association was not accepted";
  const std::size_t half = command_end + (data_end - command_end) / 2;
  ASSERT_EQ(::send(fd, bytes.data() + request_end, half - request_end, MSG_NOSIGNAL),
            static_cast<ssize_t>(half - request_end));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto started = Clock::now();
  const int code = node_->stop(std::chrono::seconds(20));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ::close(fd);
  EXPECT_EQ(code, 0) << node_->log();
  EXPECT_GE(seconds, 1.5) << "the receiving association was not given its grace";
  EXPECT_LT(seconds, 8.0) << node_->log();
  EXPECT_NE(node_->log().find("still running after the 2 s grace were aborted"), std::string::npos) << node_->log();
  EXPECT_TRUE(stored_datasets().empty());
  EXPECT_EQ(storage::Index(data_dir() / "index.sqlite").instances().counts().instances, 0);
  EXPECT_EQ(files_outside_the_store(data_dir()), std::vector<fs::path>{});
  EXPECT_EQ(count_files(data_dir() / "store" / ".incoming"), 0u);  // the half-received file is removed

  start_node({"--config", config.string()});
  EXPECT_NE(node_->log().find("recovery removed 0 temporary files"), std::string::npos) << node_->log();
  EXPECT_EQ(echo_association(node_->port()), EchoResult::echoed);
}

// Issue 23 item 9: the disk fills while an instance is being received. The node runs in a mount
// namespace of its own (unshare, as root or with user namespaces) on a 4 MB tmpfs. What DCMTK 3.6.7
// allows there is an A-ABORT, at once (it cannot read the rest of a data set it failed to write, so
// no status can be sent: docs/conformance-statement.md); what must hold is that every instance the
// sender was told is stored is stored, the failure is logged saying nothing was acknowledged, and
// the node goes on serving.
TEST_F(Hardening, TheDiskFillingMidInstanceAbortsThatInstanceOnlyAndLosesNothingAcknowledged) {
  const fs::path mount = data_ / "small-disk";
  fs::create_directories(mount);
  const fs::path config = write_config("[node]\naccept_any_caller = true\n[storage]\nmin_free_mb = 0\n");
  const int port = free_port();
  const std::string command = "mount -t tmpfs -o size=4m tmpfs '" + mount.string() + "' && exec '" +
                              rtpof_binary().string() + "' serve --port " + std::to_string(port) + " --config '" +
                              config.string() + "' --data-dir '" + (mount / "d").string() + "'";
  const fs::path log_file = data_ / "small-disk.log";
  const pid_t pid = spawn_process({"unshare", "--user", "--map-root-user", "--mount", "sh", "-c", command}, log_file);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = echo_association(port) == EchoResult::echoed;
  }
  ASSERT_TRUE(ready) << "the node on a small tmpfs did not start (unshare needs root or user namespaces):\n"
                     << read_text(log_file);
  // Twelve CT slices of 0.5 MB each: more than the 4 MB disk holds.
  const fs::path images = source_ / "big";
  ASSERT_EQ(run({rtpof_binary().string(), "phantom", "--out", images.string(), "--case", "marginal", "--size",
                 "standard"}).exit_code, 0);
  const fs::path batch = source_ / "batch";
  fs::create_directories(batch);
  for (int i = 0; i < 12; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "CT_%04d.dcm", i + 1);
    fs::create_hard_link(images / "plan" / name, batch / name);
  }
  const RunResult sent = run({"storescu", "-v", "-aec", "RTPOF", "+sd", "127.0.0.1", std::to_string(port), batch.string()});
  std::size_t acknowledged = 0;
  for (auto at = sent.output.find("Received Store Response (Success)"); at != std::string::npos;
       at = sent.output.find("Received Store Response (Success)", at + 1))
    ++acknowledged;
  EXPECT_LT(acknowledged, 12u) << sent.output;
  EXPECT_GT(acknowledged, 0u) << sent.output;
  const std::string log = read_text(log_file);
  EXPECT_NE(log.find("instance not received"), std::string::npos) << log;
  EXPECT_NE(log.find("nothing was acknowledged"), std::string::npos) << log;
  // The node's own count of what it stored (and acknowledged) is the sender's count of successes.
  EXPECT_NE(log.find("; " + std::to_string(acknowledged) + " stored, "), std::string::npos) << log;
  EXPECT_EQ(echo_association(port), EchoResult::echoed) << "the node must go on serving";
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_for_exit(pid, std::chrono::milliseconds(20000)), 0) << read_text(log_file);
}

// Malformed traffic at the two levels a peer controls: an A-ASSOCIATE-RQ whose body is garbage, and,
// inside an accepted association, a P-DATA whose command is garbage. Each ends that connection only;
// nothing is stored and the next peer is served.
TEST_F(Hardening, MalformedAssociateRequestsAndPDataEndOnlyTheirConnection) {
  start_node();
  {
    const int fd = connect_to(node_->port());
    ASSERT_GE(fd, 0);
    std::string garbage("\x01\x00\x00\x00\x00\x44", 6);
    garbage += std::string(68, '\xAB');
    ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
    timeval two_seconds{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
    char answer[256];
    const ssize_t got = ::recv(fd, answer, sizeof answer, 0);
    // An A-ABORT or A-ASSOCIATE-RJ PDU, or the connection closed: never an A-ASSOCIATE-AC (type 2).
    EXPECT_TRUE(got <= 0 || answer[0] != 0x02) << "a garbage request was accepted";
    ::close(fd);
  }
  {
    T_ASC_Network* network = nullptr;
    ASSERT_TRUE(ASC_initializeNetwork(NET_REQUESTOR, 0, 10, &network).good());
    T_ASC_Parameters* params = nullptr;
    ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(params, "GARBAGE", "RTPOF", nullptr);
    const std::string peer = "127.0.0.1:" + std::to_string(node_->port());
    ASC_setPresentationAddresses(params, "localhost", peer.c_str());
    const char* syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
    ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, syntaxes, 1);
    T_ASC_Association* assoc = nullptr;
    ASSERT_TRUE(ASC_requestAssociation(network, params, &assoc).good());
    char command[40];
    std::memset(command, 0xFF, sizeof command);
    DUL_PDV pdv{sizeof command, 1, DUL_COMMANDPDV, OFTrue, command};
    DUL_PDVLIST list{1, nullptr, 0, {}, &pdv};
    EXPECT_TRUE(DUL_WritePDVs(&assoc->DULassociation, &list).good());
    T_DIMSE_Message response{};
    T_ASC_PresentationContextID id = 0;
    // The node cannot read the command: it ends the association instead of answering.
    EXPECT_TRUE(DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, 10, &id, &response, nullptr).bad());
    ASC_dropAssociation(assoc);
    ASC_destroyAssociation(&assoc);
    ASC_dropNetwork(&network);
  }
  EXPECT_TRUE(stored_datasets().empty());
  EXPECT_EQ(echo_association(node_->port()), EchoResult::echoed) << node_->log();
  const std::string log = node_->log();
  // The garbage request holds no application context: the gate aborts it before DCMTK parses it, naming why.
  EXPECT_NE(log.find("malformed A-ASSOCIATE-RQ (0 application context items (one belongs there)); answered with an "
                     "A-ABORT"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("association ended on a network error"), std::string::npos) << log;
}

}  // namespace
}  // namespace rtpof::testing
