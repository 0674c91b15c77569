// Counts every allocation of the program: each replaceable global operator
// new / new[] (plain, nothrow, aligned, aligned nothrow) and operator delete /
// delete[] (plain, sized, nothrow, aligned, sized aligned, aligned nothrow)
// is replaced by a counting version over malloc/free.
//
// Include it in exactly ONE translation unit of a test executable (the
// replacements are definitions). `counting_new::allocations_in(f)` is the
// number of news f() made; a test should first show that the counter counts
// (see tensor_alloc_test.cpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace counting_new {

struct counters {
    std::atomic<long> plain{0}, aligned{0}, nothrow{0}, aligned_nothrow{0}, array{0};
    std::atomic<long> deletes{0}, sized_deletes{0}, aligned_deletes{0};
    [[nodiscard]] long news() const { return plain + aligned + nothrow + aligned_nothrow + array; }
};
inline counters count;

inline void* allocate(std::size_t size) {
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc{};
}
inline void* allocate_aligned(std::size_t size, std::align_val_t align) {
    const std::size_t a = static_cast<std::size_t>(align);
    if (void* p = std::aligned_alloc(a, ((size ? size : 1) + a - 1) / a * a)) return p;
    throw std::bad_alloc{};
}
// noinline: inlined into the replaced operator delete, g++ 12 -O2 sees
// free() of a pointer "from operator new" (-Wmismatched-new-delete), not
// knowing that this file's operator new is malloc.
[[gnu::noinline]] inline void release(void* p, std::atomic<long>& counter) noexcept {
    if (p) counter.fetch_add(1, std::memory_order_relaxed);
    std::free(p);
}

// The allocations (new of any form) made by f().
template <class F>
long allocations_in(F&& f) {
    const long before = count.news();
    f();
    return count.news() - before;
}

}  // namespace counting_new

void* operator new(std::size_t size) {
    counting_new::count.plain.fetch_add(1, std::memory_order_relaxed);
    return counting_new::allocate(size);
}
void* operator new[](std::size_t size) {
    counting_new::count.array.fetch_add(1, std::memory_order_relaxed);
    return counting_new::allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    counting_new::count.nothrow.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    counting_new::count.nothrow.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}
void* operator new(std::size_t size, std::align_val_t align) {
    counting_new::count.aligned.fetch_add(1, std::memory_order_relaxed);
    return counting_new::allocate_aligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
    counting_new::count.aligned.fetch_add(1, std::memory_order_relaxed);
    return counting_new::allocate_aligned(size, align);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    counting_new::count.aligned_nothrow.fetch_add(1, std::memory_order_relaxed);
    try {
        return counting_new::allocate_aligned(size, align);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    counting_new::count.aligned_nothrow.fetch_add(1, std::memory_order_relaxed);
    try {
        return counting_new::allocate_aligned(size, align);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { counting_new::release(p, counting_new::count.deletes); }
void operator delete[](void* p) noexcept { counting_new::release(p, counting_new::count.deletes); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counting_new::release(p, counting_new::count.deletes); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counting_new::release(p, counting_new::count.deletes); }
void operator delete(void* p, std::size_t) noexcept { counting_new::release(p, counting_new::count.sized_deletes); }
void operator delete[](void* p, std::size_t) noexcept { counting_new::release(p, counting_new::count.sized_deletes); }
void operator delete(void* p, std::align_val_t) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
void operator delete[](void* p, std::align_val_t) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counting_new::release(p, counting_new::count.aligned_deletes); }
