// Spec §4.1 (status vocabulary) and §4.2 / decision 2 (progress normalised once by source scale).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "model/job_status.hpp"

using namespace genmon::model;

TEST_CASE("spec 4.1: raw statuses map case-insensitively to the four normalised ones") {
    CHECK(normalizeStatus("pending") == JobStatus::Queued);
    CHECK(normalizeStatus("QUEUED") == JobStatus::Queued);
    CHECK(normalizeStatus("running") == JobStatus::Processing);
    CHECK(normalizeStatus("Retrying") == JobStatus::Processing);
    CHECK(normalizeStatus("starting") == JobStatus::Processing);
    CHECK(normalizeStatus("processing") == JobStatus::Processing);
    CHECK(normalizeStatus("succeeded") == JobStatus::Completed);
    CHECK(normalizeStatus("Completed") == JobStatus::Completed);
    CHECK(normalizeStatus("failed") == JobStatus::Failed);
    CHECK(normalizeStatus("CANCELLED") == JobStatus::Failed);
}

TEST_CASE("spec 4.1: unknown, empty and garbage statuses map to processing") {
    CHECK(normalizeStatus("") == JobStatus::Processing);
    CHECK(normalizeStatus("unknown") == JobStatus::Processing);
    CHECK(normalizeStatus("n/a") == JobStatus::Processing);
    CHECK(statusName(normalizeStatus("weird")) == "processing");
}

TEST_CASE("spec 4.3: only queued and processing jobs are cancellable") {
    CHECK(isCancellable(JobStatus::Queued));
    CHECK(isCancellable(JobStatus::Processing));
    CHECK_FALSE(isCancellable(JobStatus::Completed));
    CHECK_FALSE(isCancellable(JobStatus::Failed));
}

TEST_CASE("spec 4.2 examples hold for fraction-scale sources (WebSocket, /generate)") {
    CHECK(normalizeProgress(0.25, ProgressScale::Fraction) == 25);
    CHECK(normalizeProgress(0.999, ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(1.0, ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(-0.2, ProgressScale::Fraction) == 0);
    CHECK(normalizeProgress(0.036728898684183754, ProgressScale::Fraction) == 4);
}

TEST_CASE("decision 2: percent-scale sources (/jobs/active) are not double-normalised") {
    CHECK(normalizeProgress(45.2, ProgressScale::Percent) == 45);
    CHECK(normalizeProgress(150, ProgressScale::Percent) == 100);
    CHECK(normalizeProgress(-15, ProgressScale::Percent) == 0);
    // The SPA shows /jobs/active progress 1.0 (1 %) as 100 %: genmon keeps it at 1 %.
    CHECK(normalizeProgress(1.0, ProgressScale::Percent) == 1);
    CHECK(normalizeProgress(0.5, ProgressScale::Percent) == 1);
}

TEST_CASE("bad input: NaN, infinities and huge values clamp") {
    CHECK(normalizeProgress(std::nan(""), ProgressScale::Percent) == 0);
    CHECK(normalizeProgress(std::numeric_limits<double>::infinity(), ProgressScale::Fraction) == 100);
    CHECK(normalizeProgress(-std::numeric_limits<double>::infinity(), ProgressScale::Percent) == 0);
    CHECK(normalizeProgress(1e300, ProgressScale::Fraction) == 100);
}
