#pragma once
// Orthanc (Debian's package) as a real PACS for end-to-end tests: started on loopback with its own
// configuration and storage in a folder of the test's, driven over its REST API with curl.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rtpof::testing {

struct OrthancModality {
  std::string name, ae_title, host;
  int port = 0;
};

class OrthancProcess {
 public:
  // DICOM AE `ae_title` on `dicom_port`, REST on `http_port` (loopback only), knowing `modalities`.
  OrthancProcess(const std::filesystem::path& dir, std::string ae_title, int dicom_port, int http_port,
                 const std::vector<OrthancModality>& modalities);
  ~OrthancProcess();  // SIGTERM
  OrthancProcess(const OrthancProcess&) = delete;
  OrthancProcess& operator=(const OrthancProcess&) = delete;

  bool wait_until_ready(std::chrono::seconds timeout = std::chrono::seconds(30));  // GET /system answers
  // Uploads each file with one curl run (POST /instances); returns the HTTP codes in order.
  std::vector<int> upload(const std::vector<std::filesystem::path>& files) const;
  nlohmann::json get(const std::string& uri) const;
  nlohmann::json post(const std::string& uri, const nlohmann::json& body) const;
  void download(const std::string& uri, const std::filesystem::path& file) const;
  std::string log() const;

 private:
  std::string url(const std::string& uri) const;

  pid_t pid_ = -1;
  int http_port_;
  std::filesystem::path dir_;
};

}  // namespace rtpof::testing
