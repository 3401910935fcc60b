// compress.cpp: deflate_raw / inflate_raw on top of zlib's streaming API.
// windowBits -15 asks zlib for a raw stream (32 KB window, no header/checksum).
#include "core/io/compress.h"

#include <stdexcept>
#include <zlib.h>

namespace nn {

std::string deflate_raw(const std::string& bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflate: out of memory");
  std::string out(deflateBound(&z, uLong(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = uInt(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int rc = deflate(&z, Z_FINISH);  // deflateBound guarantees one call suffices
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string inflate_raw(const std::string& bytes, size_t max_out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) throw std::runtime_error("inflate: out of memory");
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = uInt(bytes.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_out) {
      inflateEnd(&z);
      throw std::runtime_error("it unpacks to more than " + std::to_string(max_out) + " bytes");
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended before the stream did
  }
  const uInt left = z.avail_in;
  inflateEnd(&z);
  if (rc == Z_STREAM_END && left == 0) return out;
  if (rc == Z_STREAM_END) throw std::runtime_error(std::to_string(left) + " stray bytes follow the compressed data");
  if (rc == Z_DATA_ERROR) throw std::runtime_error("its compressed data is corrupt");
  if (rc == Z_MEM_ERROR) throw std::runtime_error("out of memory while unpacking");
  throw std::runtime_error("its compressed data is cut short");
}

}  // namespace nn
