#pragma once
// ITK 5.2 keeps its process-wide settings (the data-release flag, the time-stamp counter, the object
// factories, the default threader and its pool, the random generator, the warning switch and window)
// in one index that it fills on first use, without a lock (itk::SingletonIndex: an erase and an insert
// on a std::map). Two threads making their first ITK object at once both write that map: a data race,
// which showed as a lost flag under LeakSanitizer when the outline cut's slices made the first images.
// Every parallel section whose tasks make ITK objects calls this first, on the calling thread.

namespace rtpof::pipeline {

// Makes every ITK global the pipeline's objects use, once per process; later calls return at once.
void make_itk_globals();

}  // namespace rtpof::pipeline
