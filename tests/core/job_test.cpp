#include "core/job.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace faxemu {
namespace {

constexpr JobState kAllStates[] = {
    JobState::Queued,    JobState::InProgress, JobState::Retrying,        JobState::Paused,
    JobState::Completed, JobState::Failed,     JobState::RetriesExceeded, JobState::Cancelled,
};

TEST(JobState, NamesRoundTripAndAreDistinct) {
    std::set<std::string> names;
    for (auto s : kAllStates) {
        const std::string name = to_string(s);
        EXPECT_TRUE(names.insert(name).second) << name;
        ASSERT_TRUE(job_state_from_string(name).has_value()) << name;
        EXPECT_EQ(*job_state_from_string(name), s) << name;
    }
}

TEST(JobState, StoredNamesNeverChange) {
    // The database keeps these words; renaming one would strand old rows.
    EXPECT_STREQ(to_string(JobState::Queued), "queued");
    EXPECT_STREQ(to_string(JobState::InProgress), "in_progress");
    EXPECT_STREQ(to_string(JobState::RetriesExceeded), "retries_exceeded");
    EXPECT_STREQ(to_string(JobState::Cancelled), "cancelled");
}

TEST(JobState, UnknownNameIsRejected) {
    EXPECT_FALSE(job_state_from_string("").has_value());
    EXPECT_FALSE(job_state_from_string("Queued").has_value());
    EXPECT_FALSE(job_state_from_string("done").has_value());
}

TEST(JobState, FinalStates) {
    EXPECT_FALSE(is_final(JobState::Queued));
    EXPECT_FALSE(is_final(JobState::InProgress));
    EXPECT_FALSE(is_final(JobState::Retrying));
    EXPECT_FALSE(is_final(JobState::Paused));
    EXPECT_TRUE(is_final(JobState::Completed));
    EXPECT_TRUE(is_final(JobState::Failed));
    EXPECT_TRUE(is_final(JobState::RetriesExceeded));
    EXPECT_TRUE(is_final(JobState::Cancelled));
}

TEST(JobQueueStatus, FaxcomStrings) {
    EXPECT_EQ(queue_status_string(JobState::Queued), "Pending");
    EXPECT_EQ(queue_status_string(JobState::InProgress), "In Progress");
    EXPECT_EQ(queue_status_string(JobState::Retrying), "Retrying");
    EXPECT_EQ(queue_status_string(JobState::Paused), "Paused");
    EXPECT_EQ(queue_status_string(JobState::Failed), "Failed");
    EXPECT_EQ(queue_status_string(JobState::RetriesExceeded), "Retries Exceeded");
    EXPECT_EQ(queue_status_string(JobState::Completed), "Completed");
    EXPECT_EQ(queue_status_string(JobState::Cancelled), "Deleted");
}

TEST(JobQueueStatus, WinfaxBits) {
    EXPECT_EQ(queue_status_bits(JobState::Queued), js::Pending);
    EXPECT_EQ(queue_status_bits(JobState::InProgress), js::InProgress);
    EXPECT_EQ(queue_status_bits(JobState::Retrying), js::Retrying);
    EXPECT_EQ(queue_status_bits(JobState::Paused), js::Paused);
    EXPECT_EQ(queue_status_bits(JobState::Failed), js::Failed);
    EXPECT_EQ(queue_status_bits(JobState::RetriesExceeded), js::RetriesExceeded);
    EXPECT_EQ(queue_status_bits(JobState::Cancelled), js::Deleting);
    EXPECT_EQ(queue_status_bits(JobState::Completed), js::Pending);
}

}  // namespace
}  // namespace faxemu
