/* The rig's self-test guest: a PVH domU of a few hundred bytes that proves, without drydock's
 * images, that the rig can run a PVH guest: it finds Xen, fills its hypercall page, writes a line
 * to its console ring and to the 0xe9 debug port, and powers off with SCHEDOP_shutdown. Built
 * 32-bit (it never leaves the mode Xen starts it in), freestanding, by tools/xen-rig/run.sh. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define __HYPERVISOR_sched_op        29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op          34
#define SCHEDOP_yield                0
#define SCHEDOP_shutdown             2
#define SHUTDOWN_poweroff            0
#define EVTCHNOP_send                4
#define HVMOP_get_param              1
#define HVM_PARAM_CONSOLE_PFN        17
#define HVM_PARAM_CONSOLE_EVTCHN     18
#define DOMID_SELF                   0x7ff0

struct xencons_interface {
    char in[1024];
    char out[2048];
    u32 in_cons, in_prod;
    u32 out_cons, out_prod;
};

static u8 hypercall_page[4096] __attribute__((aligned(4096)));

static long hypercall2(unsigned nr, unsigned long a1, unsigned long a2)
{
    long ret;
    unsigned long b, c;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "=b"(b), "=c"(c)
                     : [entry] "r"(hypercall_page + nr * 32), "b"(a1), "c"(a2)
                     : "memory");
    return ret;
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static void debug_port(const char *s)
{
    for (; *s; s++)
        __asm__ volatile("outb %0, $0xe9" : : "a"(*s));
}

static int find_xen(void)
{
    u32 base, a, b, c, d;
    for (base = 0x40000000; base < 0x40010000; base += 0x100) {
        cpuid(base, &a, &b, &c, &d);
        /* "XenVMMXenVMM" */
        if (b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e && a - base >= 2) {
            cpuid(base + 2, &a, &b, &c, &d);
            u32 page = (u32)hypercall_page;
            __asm__ volatile("wrmsr" : : "c"(b), "a"(page), "d"(0));
            return 1;
        }
    }
    return 0;
}

static u64 get_param(u32 index)
{
    struct { u16 domid; u16 pad; u32 index; u64 value; } p = { DOMID_SELF, 0, index, 0 };
    if (hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p) != 0)
        return 0;
    return p.value;
}

static void console_write(const char *s)
{
    u64 pfn = get_param(HVM_PARAM_CONSOLE_PFN);
    u32 port = (u32)get_param(HVM_PARAM_CONSOLE_EVTCHN);
    if (pfn == 0 || pfn >= (1ull << 20))
        return;
    volatile struct xencons_interface *intf = (void *)(u32)(pfn << 12);
    u32 prod = intf->out_prod;
    for (; *s; s++) {
        while (prod - intf->out_cons >= sizeof intf->out)
            hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
        intf->out[prod & (sizeof intf->out - 1)] = *s;
        prod++;
        __asm__ volatile("" ::: "memory");
        intf->out_prod = prod;
    }
    hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&port);
    /* Let xenconsoled drain the ring before the domain goes away (bounded). */
    for (int i = 0; i < 100000 && intf->out_cons != intf->out_prod; i++)
        hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

void selftest_main(void *start_info)
{
    (void)start_info;
    debug_port("xen-rig selftest: started\n");
    if (!find_xen()) {
        debug_port("xen-rig selftest: no Xen\n");
        return;
    }
    console_write("xen-rig selftest: hello from a PVH domU\r\n");
    debug_port("xen-rig selftest: powering off\n");
    u32 reason = SHUTDOWN_poweroff;
    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&reason);
    debug_port("xen-rig selftest: SCHEDOP_shutdown returned\n");
}
