/*
 * The interrupt descriptor table: every exception reports the vector, the
 * error code, the faulting RIP (and CR2 for a page fault) and the
 * registers, then crashes the domain; the callback vector wakes the vCPU
 * from hlt; any other vector is unexpected and reported like an exception.
 */
#include <stdint.h>

#include "platform/xen/xen_platform.h"
#include "uk/exit.h"

/* What traps.S leaves on the stack, lowest address first. */
struct uk_xen_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

#define GDT_CODE64 0x08
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate: IF cleared */
#define STUB_SIZE 16
#define PF_VECTOR 14

extern const uint8_t uk_xen_trap_stubs[];
extern const uint8_t uk_xen_callback_entry[];
_Noreturn void uk_xen_trap(const struct uk_xen_trap_frame *f);

static struct idt_gate idt[256] __attribute__((aligned(16)));

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 floating point", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating point", "#VE virtualization",
	"#CP control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved",
};

static void set_gate(unsigned int vector, const void *handler)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;

	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)a,
		.selector = GDT_CODE64,
		.type = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_high = (uint32_t)(a >> 32),
	};
}

void uk_xen_traps_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, uk_xen_trap_stubs + v * STUB_SIZE);
	set_gate(UK_XEN_CALLBACK_VECTOR, uk_xen_callback_entry);
	__asm__ volatile("lidt %0" : : "m"(desc));
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void report(const struct uk_xen_trap_frame *f, uint64_t cr2)
{
	const char *name = f->vector < 32 ? exception_names[f->vector] : "unexpected interrupt";

	uk_xen_debugcon_printf("drydock: exception %lu (%s), error code 0x%lx, rip 0x%lx",
			       (unsigned long)f->vector, name, (unsigned long)f->error_code,
			       (unsigned long)f->rip);
	if (f->vector == PF_VECTOR)
		uk_xen_debugcon_printf(", cr2 0x%lx", (unsigned long)cr2);
	uk_xen_debugcon_printf("\n  rsp %016lx rflags %016lx cs %04lx ss %04lx\n",
			       (unsigned long)f->rsp, (unsigned long)f->rflags,
			       (unsigned long)f->cs, (unsigned long)f->ss);
	uk_xen_debugcon_printf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
			       "  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n",
			       (unsigned long)f->rax, (unsigned long)f->rbx,
			       (unsigned long)f->rcx, (unsigned long)f->rdx,
			       (unsigned long)f->rsi, (unsigned long)f->rdi,
			       (unsigned long)f->rbp, (unsigned long)f->r8);
	uk_xen_debugcon_printf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n"
			       "  r13 %016lx r14 %016lx r15 %016lx\n",
			       (unsigned long)f->r9, (unsigned long)f->r10,
			       (unsigned long)f->r11, (unsigned long)f->r12,
			       (unsigned long)f->r13, (unsigned long)f->r14,
			       (unsigned long)f->r15);
}

/*
 * The full report goes to the debug port, which works whatever state the
 * runtime is in; then, with Xen, a one-line panic puts the gist on the
 * console ring (when it is up) and crashes the domain.
 */
_Noreturn void uk_xen_trap(const struct uk_xen_trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	report(f, cr2);
	if (!uk_xen_hypercall_ready())
		uk_xen_halt(UK_XEN_DEBUG_EXIT_CRASH);
	if (f->vector == PF_VECTOR)
		uk_panic("exception %lu (%s) at rip 0x%lx, address 0x%lx",
			 (unsigned long)f->vector, exception_names[f->vector],
			 (unsigned long)f->rip, (unsigned long)cr2);
	uk_panic("exception %lu (%s) at rip 0x%lx, error code 0x%lx", (unsigned long)f->vector,
		 f->vector < 32 ? exception_names[f->vector] : "unexpected interrupt",
		 (unsigned long)f->rip, (unsigned long)f->error_code);
}
