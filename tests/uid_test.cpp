#include <gtest/gtest.h>

#include "storage/uid.hpp"

using rtpof::storage::is_valid_uid;

TEST(Uid, AcceptsWellFormedUids) {
  EXPECT_TRUE(is_valid_uid("1.2.840.10008.5.1.4.1.1.2"));
  EXPECT_TRUE(is_valid_uid("2.25.0"));
  EXPECT_TRUE(is_valid_uid("0"));
  EXPECT_TRUE(is_valid_uid(std::string(64, '1')));
}

TEST(Uid, RefusesWhatCouldNameAFileOrBreaksPs35) {
  EXPECT_FALSE(is_valid_uid(""));
  EXPECT_FALSE(is_valid_uid("1.2.3/../../etc"));
  EXPECT_FALSE(is_valid_uid("../1.2"));
  EXPECT_FALSE(is_valid_uid("1/2"));
  EXPECT_FALSE(is_valid_uid("1..2"));
  EXPECT_FALSE(is_valid_uid(".1.2"));
  EXPECT_FALSE(is_valid_uid("1.2."));
  EXPECT_FALSE(is_valid_uid("1.02.3"));  // leading zero in a component
  EXPECT_FALSE(is_valid_uid("1.2.3 "));
  EXPECT_FALSE(is_valid_uid(std::string(65, '1')));
}
