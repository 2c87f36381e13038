#pragma once
// The Patient, General Study, General Series, General Equipment and Frame of Reference attributes that
// every object of the phantom carries, and the contexts the writers share.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

namespace rtpof::phantom {

struct PatientInfo {
  std::string id;
  std::string name;
  std::string birth_date = "19600101";
  std::string sex = "O";
};

struct StudyInfo {
  std::string uid;
  std::string date;
  std::string time;
  std::string id;
  std::string description;
};

struct SeriesInfo {
  std::string uid;
  std::string modality;
  int number = 1;
  std::string description;
};

// SOP Common, Patient, General Study, General Series and General Equipment.
void write_common_modules(DcmItem& item, const PatientInfo& patient, const StudyInfo& study, const SeriesInfo& series,
                          const std::string& sop_class_uid, const std::string& sop_instance_uid);
// Body Part Examined for objects with a General Series module: naming an unpaired part (HEADNECK) is
// what lets Laterality (Type 2C) be left out. The RT objects use the RT Series module instead.
void write_body_part(DcmItem& item);
void write_frame_of_reference(DcmItem& item, const std::string& frame_uid);
// Image Pixel module of a single-sample greyscale image: unsigned, HighBit = BitsStored - 1.
void write_monochrome_pixel_module(DcmItem& item, int rows, int columns, int bits_allocated, int bits_stored);
// Content Date/Time and Instance Creation Date/Time, fixed per study so that files are reproducible.
void write_content_date(DcmItem& item, const StudyInfo& study);

}  // namespace rtpof::phantom
