/*
 * An xl.cfg onto the toolstack's configuration (sim/toolstack/xlcfg_domain.c,
 * xlcfg_vif.c): the examples of xl.cfg(5) and xl-network-configuration(5)
 * drydock accepts, the config drydock_add_unikernel writes beside each PVH
 * image, drydock's own keys, and what is refused with a line and column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "sim/toolstack/xlcfg_domain.h"

struct run {
	struct xlcfg *c;
	struct sim_toolstack_config cfg;
	struct xlcfg_domain x;
	char err[512];
	int rc;
};

/* Parses text and maps it onto the defaults the host options start from. */
static struct run *map(const char *text)
{
	static struct run r;
	char err[512];

	memset(&r, 0, sizeof(r));
	r.cfg.dom = (struct sim_domain_config){ .domid = 1, .name = "default",
						.mem_bytes = 32 << 20, .cmdline = "" };
	if (xlcfg_parse(text, strlen(text), "d.cfg", &r.c, err, sizeof(err)) < 0)
		fail_msg("parse: %s", err);
	r.rc = xlcfg_domain_apply(r.c, &r.cfg, &r.x, r.err, sizeof(r.err));
	return &r;
}

static void done(struct run *r)
{
	sim_toolstack_config_free(&r->cfg);
	xlcfg_free(r->c);
}

static const char *refused(const char *text)
{
	static char err[512];
	struct run *r = map(text);

	assert_int_equal(r->rc, -EINVAL);
	strcpy(err, r->err);
	done(r);
	return err;
}

/* The file cmake/DrydockXen.cmake writes beside NAME.xen. */
static void test_the_config_beside_a_pvh_image_maps_to_the_executable_defaults(void **state)
{
	struct run *r = map("# xl.cfg for the drydock unikernel hello\nname = \"hello\"\n"
			    "type = \"pvh\"\nkernel = \"hello.xen\"\nmemory = 32\nvcpus = 1\n"
			    "extra = \"\"\n#vif = [ \"bridge=xenbr0\" ]\non_crash = \"destroy\"\n"
			    "tsc_mode = \"native\"\n");

	assert_int_equal(r->rc, 0);
	assert_string_equal(r->cfg.dom.name, "hello");
	assert_int_equal(r->cfg.dom.mem_bytes, 32 << 20);
	assert_string_equal(r->cfg.dom.cmdline, "");
	assert_string_equal(r->x.kernel, "hello.xen");
	assert_int_equal(r->x.on_crash, XLCFG_ACTION_DESTROY);
	assert_int_equal(r->x.on_reboot, XLCFG_ACTION_RESTART);
	assert_int_equal(r->cfg.nr_vifs, 0);
	assert_string_equal(r->x.warning, "tsc_mode");
	done(r);
}

/* xlexample.pvhlinux, with the one vCPU and no disk drydock can give it. */
static void test_the_pvh_example_of_xl_maps_its_name_kernel_memory_and_extra(void **state)
{
	struct run *r = map("type = \"pvh\"\nname = \"example.pvhlinux\"\n"
			    "#uuid = \"XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX\"\n"
			    "kernel = \"/boot/vmlinuz\"\n#ramdisk = \"/boot/initrd.gz\"\n"
			    "extra = \"root=/dev/xvda1\"\nmemory = 512\nvcpus = 1\nvif = [ '' ]\n"
			    "disk = [ ]\n");

	assert_int_equal(r->rc, 0);
	assert_string_equal(r->cfg.dom.name, "example.pvhlinux");
	assert_int_equal(r->cfg.dom.mem_bytes, 512ULL << 20);
	assert_string_equal(r->cfg.dom.cmdline, "root=/dev/xvda1");
	assert_string_equal(r->x.kernel, "/boot/vmlinuz");
	assert_int_equal(r->cfg.nr_vifs, 1);
	assert_string_equal(r->cfg.vifs[0].backend, "user");
	assert_string_equal(r->x.warning, "");
	done(r);
}

/* xl.cfg(5)'s vif example and xl-network-configuration(5)'s keys. */
static void test_xl_vif_keys_map_to_mac_tap_rate_and_the_backend_ip(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x74, 0x3d, 0x76 };
	struct run *r = map("vif = [ 'mac=00:16:3E:74:3d:76,model=rtl8139,bridge=xenbr0',\n"
			    "        'vifname=dd0,ip=192.168.1.2,rate=250KB/s',\n"
			    "        'rate=1MB/s@20ms,mtu=4000', 'rate=10Mb/s' ]\n");

	assert_int_equal(r->rc, 0);
	assert_int_equal(r->cfg.nr_vifs, 4);
	assert_string_equal(r->cfg.vifs[0].backend, "tap");
	assert_string_equal(r->cfg.vifs[0].arg, "vif1.0");
	assert_true(r->cfg.vifs[0].mac_given);
	assert_memory_equal(r->cfg.vifs[0].mac, mac, 6);
	assert_string_equal(r->x.bridges[0], "xenbr0");
	assert_string_equal(r->cfg.vifs[1].arg, "dd0");
	assert_string_equal(vif_config_get(&r->cfg.vifs[1], "tx-rate"), "2.000000");
	assert_string_equal(r->x.ips[1], "192.168.1.2");
	assert_string_equal(r->cfg.vifs[2].backend, "user");
	assert_string_equal(vif_config_get(&r->cfg.vifs[2], "tx-rate"), "8.000000");
	assert_int_equal(r->cfg.vifs[2].mtu, 4000);
	assert_string_equal(vif_config_get(&r->cfg.vifs[3], "tx-rate"), "10.000000");
	assert_string_equal(r->x.warning, "vif[0].model, vif rate's @INTERVAL");
	assert_int_equal(xlcfg_domain_finish(r->c, &r->x, &r->cfg, r->err, sizeof(r->err)), 0);
	assert_int_equal(r->cfg.nr_xs_entries, 1);
	assert_string_equal(r->cfg.xs_entries[0], "/local/domain/0/backend/vif/1/1/ip=192.168.1.2");
	done(r);
}

static void test_drydock_keys_set_clock_seed_timeout_xenstore_and_backends(void **state)
{
	struct run *r = map("drydock_clock = 'virtual'\ndrydock_seed = 42\ndrydock_strict = 1\n"
			    "drydock_timeout = '2.5'\ndrydock_xenstore_socket = '/tmp/x.sock'\n"
			    "drydock_xs = [ 'data/k=v' ]\nvif = [ 'mac=00:16:3e:00:00:09' ]\n"
			    "drydock_vif = [ 'null,loss=5%' ]\n");

	assert_int_equal(r->rc, 0);
	assert_int_equal(r->cfg.sim.clock, SIM_CLOCK_VIRTUAL);
	assert_int_equal(r->cfg.sim.seed, 42);
	assert_true(r->cfg.sim.strict);
	assert_int_equal(r->cfg.timeout_ns, 2500000000ULL);
	assert_string_equal(r->cfg.xenstore_socket, "/tmp/x.sock");
	assert_int_equal(r->cfg.nr_xs_entries, 1);
	assert_string_equal(r->cfg.xs_entries[0], "data/k=v");
	assert_string_equal(r->cfg.vifs[0].backend, "null");
	assert_string_equal(vif_config_get(&r->cfg.vifs[0], "loss"), "5%");
	assert_int_equal(r->cfg.vifs[0].mac[5], 9);
	done(r);
}

static void test_actions_and_cmdline_follow_xl(void **state)
{
	struct run *r = map("on_poweroff = 'restart'\non_reboot = 'destroy'\n"
			    "on_crash = 'coredump-destroy'\ncmdline = 'a b'\nextra = 'c'\n"
			    "memory = '64'\n");

	assert_int_equal(r->rc, 0);
	assert_int_equal(r->x.on_poweroff, XLCFG_ACTION_RESTART);
	assert_int_equal(r->x.on_reboot, XLCFG_ACTION_DESTROY);
	assert_int_equal(r->x.on_crash, XLCFG_ACTION_PRESERVE);
	assert_string_equal(r->cfg.dom.cmdline, "a b");
	assert_int_equal(r->cfg.dom.mem_bytes, 64 << 20);
	assert_string_equal(r->x.warning, "extra (cmdline wins, as in xl)");
	done(r);
}

static void test_every_xl_key_drydock_does_not_use_is_in_one_warning(void **state)
{
	struct run *r = map("maxmem = 64\ncpus = '0-3'\nuuid = 'x'\nvif = ['script=vif-nat']\n");

	assert_int_equal(r->rc, 0);
	assert_string_equal(r->x.warning, "vif[0].script, maxmem, cpus, uuid");
	done(r);
}

static void test_what_drydock_cannot_do_is_refused_where_it_is_written(void **state)
{
	assert_string_equal(refused("name='a'\nvcpus = 4\n"),
			    "d.cfg:2:9: vcpus = 4: drydock runs one vCPU (its guest is one thread "
			    "of the process)");
	assert_string_equal(refused("type = 'hvm'\n"),
			    "d.cfg:1:8: type = \"hvm\": drydock runs PVH guests (type = \"pvh\")");
	assert_string_equal(refused("disk = [ '/dev/vg/guest-volume,raw,xvda,rw' ]\n"),
			    "d.cfg:1:10: disk: this drydock has no block backend");
	assert_string_equal(refused("on_crash = 'rename-restart'\n"),
			    "d.cfg:1:12: on_crash = \"rename-restart\": drydock does destroy, "
			    "restart and preserve only");
}

static void test_unknown_and_malformed_values_are_errors_with_a_place(void **state)
{
	assert_string_equal(refused("name = 'a'\nmemroy = 8\n"), "d.cfg:2:1: unknown key 'memroy'");
	assert_string_equal(refused("memory = 1\n"),
			    "d.cfg:1:10: memory takes a number from 2 to 1048576, not '1'");
	assert_string_equal(refused("memory = [8]\n"),
			    "d.cfg:1:1: memory takes a single value, not a list");
	assert_string_equal(refused("vif = 'bridge=x'\n"),
			    "d.cfg:1:1: vif takes a list: vif = [ \"...\" ]");
	assert_string_equal(refused("vif = [ 'colour=red' ]\n"),
			    "d.cfg:1:9: vif 0: unknown key 'colour'");
	assert_string_equal(refused("vif = [ 'rate=fast' ]\n"),
			    "d.cfg:1:9: vif 0: rate takes RATE/s[@INTERVAL] with RATE such as 10Mb "
			    "or 1MB, not 'fast'");
	assert_string_equal(refused("vif = [ 'mac=zz' ]\n"),
			    "d.cfg:1:9: vif 0 (user,mac=zz): bad mac 'zz': expected six hex bytes, as "
			    "00:16:3e:12:34:56");
	assert_string_equal(refused("vif = []\ndrydock_vif = [ 'null' ]\n"),
			    "d.cfg:2:17: drydock_vif has 1 entries and vif 0: drydock_vif N "
			    "completes vif N");
	assert_string_equal(refused("drydock_clock = 'fast'\n"),
			    "d.cfg:1:17: drydock_clock takes \"real\" or \"virtual\", not 'fast'");
	assert_string_equal(refused("vif = [ 'rate=1\\n2' ]\n"),
			    "d.cfg:1:9: vif 0: rate takes RATE/s[@INTERVAL] with RATE such as 10Mb "
			    "or 1MB, not '1\\x0a2'");
	assert_string_equal(refused("name = 'a/b'\n"),
			    "d.cfg:1:8: name takes 1 to 63 characters and no '/', not 'a/b'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_config_beside_a_pvh_image_maps_to_the_executable_defaults),
		cmocka_unit_test(test_the_pvh_example_of_xl_maps_its_name_kernel_memory_and_extra),
		cmocka_unit_test(test_xl_vif_keys_map_to_mac_tap_rate_and_the_backend_ip),
		cmocka_unit_test(test_drydock_keys_set_clock_seed_timeout_xenstore_and_backends),
		cmocka_unit_test(test_actions_and_cmdline_follow_xl),
		cmocka_unit_test(test_every_xl_key_drydock_does_not_use_is_in_one_warning),
		cmocka_unit_test(test_what_drydock_cannot_do_is_refused_where_it_is_written),
		cmocka_unit_test(test_unknown_and_malformed_values_are_errors_with_a_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
