#include "scp/dicom_listener.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "scp/presentation_contexts.hpp"
#include "scp/store_worker.hpp"
#include "scp/tls_layer.hpp"

namespace rtpof::scp {

// DcmSCPPool<T> default-constructs its workers; deriving from the base pool lets each worker be
// handed the shared context instead of reaching for a global.
class DicomListener::Pool : public DcmBaseSCPPool {
 public:
  Pool(const ListenerOptions& options, storage::Archive& archive, std::shared_ptr<spdlog::logger> logger)
      : context_{archive, AssociationPolicy(options), std::move(logger), {}} {}

  ServiceContext& context() { return context_; }

 protected:
  DcmBaseSCPWorker* createSCPWorker() override {
    // DCMTK owns the worker from here (it deletes it when its association ends).
    return new StoreWorker(*this, context_);
  }

 private:
  ServiceContext context_;
};

DicomListener::DicomListener(ListenerOptions options, storage::Archive& archive,
                             std::shared_ptr<spdlog::logger> logger)
    : tls_(options.tls ? make_tls_layer(*options.tls, TlsRole::server) : nullptr),
      pool_(std::make_unique<Pool>(options, archive, std::move(logger))) {
  DcmSCPConfig& config = pool_->getConfig();
  config.setAETitle(options.ae_title.c_str());
  config.setPort(options.port);
  config.setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
  // The listener thread reads each A-ASSOCIATE-RQ itself: a silent peer blocks others for this long.
  config.setACSETimeout(options.acse_timeout_s);
  config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  config.setDIMSETimeout(options.dimse_timeout_s);
  // Non-blocking accept with a 1 s tick: how quickly a stop request is noticed.
  config.setConnectionBlockingMode(DUL_NOBLOCK);
  config.setConnectionTimeout(1);
  config.setHostLookupEnabled(OFFalse);
  config.setRespondWithCalledAETitle(OFFalse);
  add_presentation_contexts(config);
  // The pool's listener thread does each TLS handshake before it reads the A-ASSOCIATE-RQ; a handshake
  // that fails (plain DICOM, an untrusted certificate) ends that connection only.
  if (tls_) config.setTransportLayer(tls_.get());
  pool_->setMaxThreads(static_cast<Uint16>(options.max_associations));
}

DicomListener::~DicomListener() = default;

void DicomListener::run() {
  const OFCondition status = pool_->listen();
  if (status.bad())
    throw std::runtime_error("cannot listen on port " + std::to_string(pool_->getConfig().getPort()) + ": " +
                             status.text() + " (is another process using it?)");
}

void DicomListener::request_stop() { pool_->stopAfterCurrentAssociations(); }

const ListenerStats& DicomListener::stats() const { return pool_->context().stats; }

std::size_t DicomListener::active_associations() const { return pool_->numThreads(OFTrue); }

}  // namespace rtpof::scp
