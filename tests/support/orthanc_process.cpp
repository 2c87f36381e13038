#include "tests/support/orthanc_process.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace {

std::string curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "--silent", "--show-error", "--fail", "--max-time", "120"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult result = run(argv, std::chrono::seconds(180));
  if (result.exit_code != 0) throw std::runtime_error("curl " + args.back() + " failed: " + result.output);
  return result.output;
}

}  // namespace

OrthancProcess::OrthancProcess(const std::filesystem::path& dir, std::string ae_title, int dicom_port, int http_port,
                               const std::vector<OrthancModality>& modalities)
    : http_port_(http_port), dir_(dir) {
  std::filesystem::create_directories(dir_ / "storage");
  nlohmann::json config = {
      {"Name", "rtpof-test"},
      {"StorageDirectory", (dir_ / "storage").string()},
      {"IndexDirectory", (dir_ / "storage").string()},
      {"Plugins", nlohmann::json::array()},  // Debian's default loads /usr/share/orthanc/plugins
      {"HttpPort", http_port},
      {"RemoteAccessAllowed", false},  // REST answers on loopback only
      {"AuthenticationEnabled", false},
      {"DicomAet", ae_title},
      {"DicomPort", dicom_port},
      {"DicomCheckCalledAet", true},
      {"DicomScuTimeout", 30},
      {"DicomModalities", nlohmann::json::object()},
  };
  for (const auto& m : modalities) config["DicomModalities"][m.name] = {m.ae_title, m.host, m.port};
  std::ofstream(dir_ / "orthanc.json") << config.dump(2);
  pid_ = spawn_process({"Orthanc", (dir_ / "orthanc.json").string()}, dir_ / "orthanc.log");
}

OrthancProcess::~OrthancProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  wait_for_exit(pid_, std::chrono::seconds(20));
}

std::string OrthancProcess::url(const std::string& uri) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + uri;
}

bool OrthancProcess::wait_until_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (run({"curl", "--silent", "--fail", "--max-time", "2", url("/system")}, std::chrono::seconds(10)).exit_code == 0)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

std::vector<int> OrthancProcess::upload(const std::vector<std::filesystem::path>& files) const {
  std::vector<std::string> args;
  for (const auto& file : files) {
    if (!args.empty()) args.push_back("--next");
    args.insert(args.end(), {"--silent", "--output", "/dev/null", "--write-out", "%{http_code}\\n", "--data-binary",
                             "@" + file.string(), url("/instances")});
  }
  std::vector<std::string> argv = {"curl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult result = run(argv, std::chrono::seconds(300));
  std::vector<int> codes;
  std::istringstream lines(result.output);
  for (int code; lines >> code;) codes.push_back(code);
  return codes;
}

nlohmann::json OrthancProcess::get(const std::string& uri) const { return nlohmann::json::parse(curl({url(uri)})); }

nlohmann::json OrthancProcess::post(const std::string& uri, const nlohmann::json& body) const {
  return nlohmann::json::parse(curl({"--request", "POST", "--data-binary", body.dump(), url(uri)}));
}

void OrthancProcess::download(const std::string& uri, const std::filesystem::path& file) const {
  curl({"--output", file.string(), url(uri)});
}

std::string OrthancProcess::log() const { return read_text(dir_ / "orthanc.log"); }

}  // namespace rtpof::testing
