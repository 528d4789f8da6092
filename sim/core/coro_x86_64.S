/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The sim authors */
/*
 * void sim_coro_switch_asm(void **save_sp, void *new_sp)
 *
 * Saves the System V callee-saved registers (rbx, rbp, r12-r15) on the
 * current stack, stores the stack pointer in *save_sp, switches to new_sp
 * and restores the same set from there.  Everything else is caller-saved
 * by the ABI -- except the control bits of MXCSR and the x87 control word,
 * which are callee-saved too but are not switched: every coroutine runs
 * with the host thread's floating-point environment, and none may change
 * it (nothing in the simulator does; see coro.h).  Saving them cost a
 * slow fnstcw/fldcw pair on every switch (host speed only).
 *
 * A fresh stack is prepared by sim_coro_create() so that the restore path
 * "returns" into sim_coro_trampoline with r12 = entry function and
 * r13 = its argument.
 */
	.text
	.globl	sim_coro_switch_asm
	.type	sim_coro_switch_asm, @function
sim_coro_switch_asm:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	sim_coro_switch_asm, .-sim_coro_switch_asm

	.globl	sim_coro_trampoline
	.type	sim_coro_trampoline, @function
sim_coro_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r13, %rdi
	callq	*%r12
	ud2			/* the entry function never returns */
	.cfi_endproc
	.size	sim_coro_trampoline, .-sim_coro_trampoline

/*
 * intptr_t sim_coro_call_on_asm(void *top, intptr_t (*fn)(void *), void *arg)
 *
 * Calls fn(arg) with the stack pointer at top (16-byte aligned), then
 * returns fn's result on the caller's stack (coro.h: the side stack).
 * rbp keeps the caller's stack pointer; fn preserves it (callee-saved).
 */
	.globl	sim_coro_call_on_asm
	.type	sim_coro_call_on_asm, @function
sim_coro_call_on_asm:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq	%rdi, %rsp
	movq	%rdx, %rdi
	callq	*%rsi
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	sim_coro_call_on_asm, .-sim_coro_call_on_asm

	.section .note.GNU-stack,"",@progbits
