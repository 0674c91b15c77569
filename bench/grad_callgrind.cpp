// Calls ONE gradient kernel N times, cycling through the benchmark's input
// points, for instruction counting under callgrind (scripts/disasm):
//
//   grad_callgrind <kernel> [N]        e.g. grad_callgrind grad_net_leibniz 10000
//   valgrind --tool=callgrind --toggle-collect=grad_net_leibniz grad_callgrind grad_net_leibniz 10000
//   grad_callgrind --list              the kernel names
//
// It prints a checksum of the outputs, so the calls cannot be dropped.

#include "grad_kernels.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "--list") {
        for (const auto& f : grad_kernels::functions)
            std::printf("grad_%s_leibniz\ngrad_%s_hand\n", std::string(f.name).c_str(), std::string(f.name).c_str());
        return 0;
    }
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: %s <kernel> [N]   (kernels: %s --list)\n", argv[0], argv[0]);
        return 2;
    }
    const std::string_view wanted = argv[1];
    const long n = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 10000;
    for (const auto& f : grad_kernels::functions) {
        const std::string base = "grad_" + std::string(f.name);
        grad_kernels::kernel_fn kernel = nullptr;
        if (wanted == base + "_leibniz") kernel = f.leibniz;
        if (wanted == base + "_hand") kernel = f.hand;
        if (!kernel) continue;
        double out[grad_kernels::max_inputs] = {};
        double checksum = 0;
        for (long i = 0; i < n; ++i) {
            kernel((*f.points)[static_cast<std::size_t>(i) % grad_kernels::point_count].data(), out);
            for (std::size_t k = 0; k < f.outputs; ++k) checksum += out[k];
        }
        std::printf("%s x %ld: checksum %.17g\n", argv[1], n, checksum);
        return 0;
    }
    std::fprintf(stderr, "%s: no kernel named '%s' (see --list)\n", argv[0], argv[1]);
    return 2;
}
