/*
 * The keys xl.cfg(5) documents (Xen 4.17's, and the xm-era ones xl still
 * reads): a key among them that drydock does not use is worth a warning, any
 * other key is a mistake.
 */
#include <stdbool.h>
#include <string.h>

#include "sim/toolstack/xlcfg_internal.h"

static const char *const xl_keys[] = {
	"acpi", "acpi_s3", "acpi_s4", "acpi_laptop_slate", "altp2m", "altp2mhvm", "apic",
	"arm_sve", "bios", "bios_path_override", "blkdev_start", "boot", "bootloader",
	"bootloader_args", "bootloader_restrict", "bootloader_user", "builder", "channel",
	"claim_mode", "cmdline", "cpuid", "cpus", "cpus_soft", "cpu_weight", "cap",
	"device_model_args", "device_model_args_hvm", "device_model_args_pv",
	"device_model_override", "device_model_stubdomain_override",
	"device_model_stubdomain_seclabel", "device_model_user", "device_model_version",
	"device_tree", "disk", "dm_restrict", "driver_domain", "dtdev", "e820_host", "extra",
	"gfx_passthru", "gic_version", "hap", "hdtype", "hpet", "init_seclabel", "iomem",
	"ioports", "irqs", "kernel", "keymap", "llc_colors", "localtime", "max_event_channels",
	"max_grant_frames", "max_grant_version", "max_maptrack_frames", "maxmem", "maxvcpus",
	"mca_caps", "memory", "msr_relaxed", "name", "nestedhvm", "nographic", "nomigrate",
	"on_crash", "on_poweroff", "on_reboot", "on_soft_reset", "on_watchdog", "oos",
	"opengl", "p9", "pae", "passthrough", "pci", "pci_msitranslate", "pci_permissive",
	"pci_power_mgmt", "pci_rdm_mem_boundary", "pci_seize", "pool", "pvcalls", "pvshim",
	"pvshim_cmdline", "pvshim_extra", "pvshim_path", "ramdisk", "rdm",
	"rdm_mem_boundary", "root", "rtc_timeoffset", "seclabel", "serial", "shadow_memory",
	"smbios", "soundhw", "spice", "spice_clipboard_sharing", "spiceagent_mouse",
	"spicedisable_ticketing", "spicehost", "spicepasswd", "spiceport", "spicetls_port",
	"spiceusbredirection", "spicevdagent", "stdvga", "stubdomain_cmdline",
	"stubdomain_kernel", "stubdomain_memory", "stubdomain_ramdisk", "tee", "timer_mode",
	"trap_unmapped_accesses", "tsc_mode", "type", "usb", "usbctrl", "usbdev", "usbdevice",
	"uuid", "vcpu_hard_affinity", "vcpu_soft_affinity", "vcpus", "vdispl", "vfb", "vga",
	"videoram", "vif", "viridian", "virtio", "vkb", "vnc", "vncconsole", "vncdisplay",
	"vnclisten", "vncpasswd", "vncunused", "vnuma", "vpmu", "vpt_align", "vsnd", "vtpm",
	"vuart", "xen_platform_pci", "xend_cpuid", "sdl",
};

bool xlcfg_key_known_to_xl(const char *key)
{
	for (size_t i = 0; i < sizeof(xl_keys) / sizeof(xl_keys[0]); i++)
		if (!strcmp(xl_keys[i], key))
			return true;
	return false;
}
