#pragma once
/// A raw loopback TCP connection for tests that must send what a well-behaved client
/// never does (half a body, a foreign protocol's header).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>

namespace et::test {

/// A socket connected to 127.0.0.1:port whose reads give up after `seconds`,
/// or -1 when nothing accepted the connection.
inline int connect_loopback(uint16_t port, long seconds) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval limit{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  return fd;
}

} // namespace et::test
