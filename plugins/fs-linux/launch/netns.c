/* netns.c - the sandbox's network namespace, made by the outer stage
 * (DESIGN.md 5.1, 5.2).
 *
 * The command must reach nothing but loopback: the proxies accept on
 * listeners inside this namespace, and every other address is unreachable.
 * So after bringing `lo` up, the namespace is checked through rtnetlink and
 * refused unless `lo` is its only link and every route stays on `lo` without
 * a gateway. The listeners themselves are listen.c's. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "launch_int.h"

/* Write `text` to a /proc/self file of the new user namespace. */
static int launch_ns_write(const char *path, const char *text, struct launch_error *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(text);
    int rc = 0;

    if (fd < 0)
        return launch_fail(err, errno, "cannot open %s: %s", path, strerror(errno));
    if (write(fd, text, len) != (ssize_t)len)
        rc = launch_fail(err, errno, "cannot write %s: %s", path, strerror(errno));
    close(fd);
    return rc;
}

/* An identity map keeps file ownership meaning the same inside; setgroups
 * must be denied before an unprivileged process may write gid_map. */
static int launch_ns_map_identity(uid_t uid, gid_t gid, struct launch_error *err)
{
    char map[64];
    int rc = launch_ns_write("/proc/self/setgroups", "deny", err);

    if (rc == 0) {
        snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
        rc = launch_ns_write("/proc/self/uid_map", map, err);
    }
    if (rc == 0) {
        snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
        rc = launch_ns_write("/proc/self/gid_map", map, err);
    }
    return rc;
}

int launch_netns_enter(bool with_userns, struct launch_error *err)
{
    if (with_userns) {
        /* Read the ids first: until the map is written, the new namespace
         * reports the overflow id. */
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(CLONE_NEWUSER) < 0)
            return launch_fail(err, errno, "cannot create user namespace: %s", strerror(errno));
        int rc = launch_ns_map_identity(uid, gid, err);
        if (rc < 0)
            return rc;
    }
    if (unshare(CLONE_NEWNET) < 0)
        return launch_fail(err, errno, "cannot create network namespace: %s", strerror(errno));
    return 0;
}

static int launch_nl_fail(struct launch_error *err, int nlerr, const char *what)
{
    return launch_fail(err, EIO, "%s: %s", what, nl_geterror(nlerr));
}

static int launch_lo_up(struct nl_sock *sk, struct launch_error *err)
{
    struct rtnl_link *lo = NULL, *change = NULL;
    int rc = rtnl_link_get_kernel(sk, 0, "lo", &lo);

    if (rc < 0)
        return launch_nl_fail(err, rc, "cannot find loopback link");
    change = rtnl_link_alloc();
    if (!change) {
        rc = launch_fail(err, ENOMEM, "cannot bring loopback up: out of memory");
        goto out_put_lo;
    }
    rtnl_link_set_flags(change, IFF_UP);
    rc = rtnl_link_change(sk, lo, change, 0);
    if (rc < 0)
        rc = launch_nl_fail(err, rc, "cannot bring loopback up");
    rtnl_link_put(change);
out_put_lo:
    rtnl_link_put(lo);
    return rc;
}

/* The only link is an up loopback; returns its index in *lo_index. */
static int launch_check_links(struct nl_sock *sk, int *lo_index, struct launch_error *err)
{
    struct nl_cache *cache = NULL;
    int rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);

    if (rc < 0)
        return launch_nl_fail(err, rc, "cannot list network links");
    if (nl_cache_nitems(cache) != 1) {
        rc = launch_fail(err, EPERM, "network namespace has %d links, expected only lo",
                         nl_cache_nitems(cache));
        goto out_free;
    }
    struct rtnl_link *link = (struct rtnl_link *)nl_cache_get_first(cache);
    unsigned flags = rtnl_link_get_flags(link);
    if (!(flags & IFF_LOOPBACK) || !(flags & IFF_UP)) {
        rc = launch_fail(err, EPERM, "link %s is not an up loopback", rtnl_link_get_name(link));
        goto out_free;
    }
    *lo_index = rtnl_link_get_ifindex(link);
    rc = 0;
out_free:
    nl_cache_free(cache);
    return rc;
}

struct launch_route_walk {
    int  lo_index;
    bool bad;
    char what[64];
};

static void launch_route_check_nh(struct rtnl_nexthop *nh, void *arg)
{
    struct launch_route_walk *w = arg;

    if (rtnl_route_nh_get_ifindex(nh) != w->lo_index || rtnl_route_nh_get_gateway(nh))
        w->bad = true;
}

static void launch_route_check(struct nl_object *obj, void *arg)
{
    struct launch_route_walk *w = arg;
    struct rtnl_route *route = (struct rtnl_route *)obj;
    bool was_bad = w->bad;

    /* A route without a next hop (blackhole, unreachable, prohibit) sends
     * nothing anywhere; only next hops off loopback matter. */
    rtnl_route_foreach_nexthop(route, launch_route_check_nh, w);
    if (w->bad && !was_bad) {
        struct nl_addr *dst = rtnl_route_get_dst(route);
        if (dst)
            nl_addr2str(dst, w->what, sizeof(w->what));
        else
            snprintf(w->what, sizeof(w->what), "default");
    }
}

static int launch_check_routes(struct nl_sock *sk, int lo_index, struct launch_error *err)
{
    struct launch_route_walk walk = { .lo_index = lo_index };
    struct nl_cache *cache = NULL;
    int rc = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &cache);

    if (rc < 0)
        return launch_nl_fail(err, rc, "cannot list routes");
    nl_cache_foreach(cache, launch_route_check, &walk);
    nl_cache_free(cache);
    if (walk.bad)
        return launch_fail(err, EPERM, "network namespace has a route beyond loopback: %s", walk.what);
    return 0;
}

int launch_netns_setup_lo(struct launch_error *err)
{
    struct nl_sock *sk = nl_socket_alloc();
    int lo_index = 0;
    int rc;

    if (!sk)
        return launch_fail(err, ENOMEM, "cannot allocate netlink socket");
    rc = nl_connect(sk, NETLINK_ROUTE);
    if (rc < 0) {
        rc = launch_nl_fail(err, rc, "cannot connect to rtnetlink");
        goto out_free;
    }
    rc = launch_lo_up(sk, err);
    if (rc == 0)
        rc = launch_check_links(sk, &lo_index, err);
    if (rc == 0)
        rc = launch_check_routes(sk, lo_index, err);
out_free:
    nl_socket_free(sk);
    return rc;
}
