#pragma once
// The SQLite index of the data directory: one connection (storage/database.hpp), one migration list, and
// a store per table family. Each worker is handed the store it needs: ingest the instances, the scheduler
// and job runner the cases, the sender the reports and outbox.
#include <filesystem>

#include "storage/case_store.hpp"
#include "storage/database.hpp"
#include "storage/instance_store.hpp"
#include "storage/report_store.hpp"

namespace rtpof::storage {

class Index {
 public:
  // Opens (creating or migrating) the index; throws std::runtime_error naming the file on failure.
  explicit Index(const std::filesystem::path& database_file)
      : database_(database_file), instances_(database_), cases_(database_), reports_(database_) {}

  InstanceStore& instances() { return instances_; }
  CaseStore& cases() { return cases_; }
  ReportStore& reports() { return reports_; }

 private:
  Database database_;
  InstanceStore instances_;
  CaseStore cases_;
  ReportStore reports_;
};

}  // namespace rtpof::storage
