// compress.h: raw deflate (RFC 1951, no zlib or gzip header) through zlib,
// for compact links. The same zlib version natively and in WebAssembly gives
// the same bytes, and a browser's DecompressionStream('deflate-raw') reads them.
#pragma once
#include <cstddef>
#include <string>

namespace nn {

// Compresses `bytes` at the best level.
std::string deflate_raw(const std::string& bytes);

// Decompresses. Throws std::runtime_error with a sentence for the user if the
// input is not a complete deflate stream, has bytes after its end, or would
// unpack to more than max_out bytes (a small link cannot blow up memory).
std::string inflate_raw(const std::string& bytes, size_t max_out);

}  // namespace nn
