#include "app/dcmtk_runtime.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdlib>
#include <stdexcept>

#include "scp/tls_layer.hpp"

namespace rtpof::app {

void initialise_dcmtk() {
  if (!dcmDataDict.isDictionaryLoaded())
    throw std::runtime_error(
        "the DICOM data dictionary is not loaded: install the dcmtk package's dictionary "
        "(/usr/share/libdcmtk17/dicom.dic) or set DCMDICTPATH");
  // DCMTK reads this variable for every socket it opens; an operator's explicit value wins.
  ::setenv("TCP_NODELAY", "1", 0);
  dcmDisableGethostbyaddr.set(OFTrue);
  scp::initialise_tls_library();
}

void quiet_dcmtk_parser() { OFLog::configure(OFLogger::FATAL_LOG_LEVEL); }

}  // namespace rtpof::app
