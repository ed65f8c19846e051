/* The AVR target's setup, beside common/hal.h: timers, UARTs, ports, interrupts on. */
#ifndef CELLBENCH_HAL_AVR_H
#define CELLBENCH_HAL_AVR_H

void hal_avr_init(void);

#endif
