/* SPDX-License-Identifier: MIT */
/* SPDX-FileCopyrightText: 2026 The sim authors */
/*
 * void sim_coro_switch_asm(void **save_sp, void *new_sp)
 *
 * AAPCS64: saves x19-x28, fp (x29), lr (x30) and d8-d15 in a 160-byte
 * frame on the current stack, stores sp in *save_sp, then restores the
 * same frame from new_sp and returns through the restored lr.
 * A fresh stack is prepared so that lr = sim_coro_trampoline,
 * x19 = entry function, x20 = its argument.
 */
	.text
	.globl	sim_coro_switch_asm
	.type	sim_coro_switch_asm, %function
sim_coro_switch_asm:
	sub	sp, sp, #160
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #160
	ret
	.size	sim_coro_switch_asm, .-sim_coro_switch_asm

	.globl	sim_coro_trampoline
	.type	sim_coro_trampoline, %function
sim_coro_trampoline:
	mov	x0, x20
	blr	x19
	brk	#0
	.size	sim_coro_trampoline, .-sim_coro_trampoline

/*
 * intptr_t sim_coro_call_on_asm(void *top, intptr_t (*fn)(void *), void *arg)
 *
 * Calls fn(arg) with sp at top (16-byte aligned), then returns fn's result
 * on the caller's stack (coro.h: the side stack).  fp (x29) keeps the
 * caller's sp; fn preserves it (callee-saved).
 */
	.globl	sim_coro_call_on_asm
	.type	sim_coro_call_on_asm, %function
sim_coro_call_on_asm:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	mov	sp, x0
	mov	x0, x2
	blr	x1
	mov	sp, x29
	ldp	x29, x30, [sp], #16
	ret
	.size	sim_coro_call_on_asm, .-sim_coro_call_on_asm

	.section .note.GNU-stack,"",%progbits
