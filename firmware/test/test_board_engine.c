/*
 * The board protocol engine (common/board_engine.c) on its own, under a board that is neither the gasboard nor
 * the palletunit: a profile and a board interface written here, on the fake HAL. What it shows: the engine
 * knows no board (identity, SET's actuators, CAL's sample and ST's extra fields all come from the board), and
 * its dispatch, ring and replay work with any storage the board gives it. The gasboard's and palletunit's own
 * behaviour is test_gasboard.c's and test_palletunit.c's.
 */
#include <stdio.h>
#include <string.h>

#include "common/board_engine.h"
#include "common/crc16.h"
#include "test/check.h"
#include "test/seal.h"
#include "test/fake_hal.h"

/* A board of two cells with one actuator each ("heat"), one sensor reading, four ring slots. */
typedef struct {
    board_engine_t engine; /* first, as the engine's hooks expect */
    sample_t o2;
    uint8_t out_calls;
    uint8_t last_index;
    uint8_t last_on;
    reading_t slots[4];
} toy_t;

static toy_t toy;
static int toy_set_ok = 1;

static const char *const toy_actuators[1] = { "heat" };

static int toy_command(board_engine_t *e, const frame_t *f, uint32_t id, uint32_t now)
{
    (void)now;
    if (strcmp(f->type, "PING") != 0) {
        return 0;
    }
    if (e != NULL) {
        board_engine_ack(e, id);
    }
    return 1;
}

static int toy_set_allowed(const board_engine_t *e)
{
    (void)e;
    return toy_set_ok;
}

static const board_profile_t toy_profile = {
    "toy", "9.8.7", "o2,heat", toy_actuators, 1u, 1u, 0xFFu, toy_command, toy_set_allowed, NULL,
};

static void toy_sample(const board_engine_t *e, sensor_t sensor, sample_t *out)
{
    memset(out, 0, sizeof *out);
    if (sensor == SENSOR_O2) {
        *out = ((const toy_t *)(const void *)e)->o2;
    }
}

static void toy_output(board_engine_t *e, uint8_t index, uint8_t on)
{
    toy_t *t = (toy_t *)(void *)e;

    t->out_calls++;
    t->last_index = index;
    t->last_on = on;
}

static uint32_t toy_timeouts(const board_engine_t *e)
{
    (void)e;
    return 42u;
}

static void toy_extras(const board_engine_t *e, frame_writer_t *w)
{
    (void)e;
    board_engine_st_extra(w, "toy", 7u);
}

static const board_iface_t toy_iface = {
    100u, 200u, { { 300, 500 }, { 500, 500 } }, toy_sample, toy_output, toy_timeouts, toy_extras,
};

static void send(const char *body)
{
    fake_host_send(test_sealed(body));
    fake_host_send("\n");
    board_engine_read_link(&toy.engine, hal_millis());
    board_engine_send(&toy.engine);
}

#define EXPECT(body) check_str(fake_host_next_line(), test_sealed(body), __FILE__, __LINE__, body)

static void start(void)
{
    fake_reset();
    memset(&toy, 0, sizeof toy);
    board_engine_init(&toy.engine, &toy_profile, &toy_iface, "TOY-1", 2u, 5000u, toy.slots, 4u);
}

static void push(uint32_t t_ms, int16_t o2)
{
    reading_t r;

    memset(&r, 0, sizeof r);
    r.t_ms = t_ms;
    r.value[0] = o2;
    r.valid = 1u;
    r.cell = 1u;
    board_engine_push(&toy.engine, &r);
}

static void test_identity_and_dispatch(void)
{
    start();
    CHECK_EQ_U(toy.engine.boot, 1u);
    CHECK_EQ_U(fake_eeprom()[100], 'B'); /* the boot record at the board's address */
    send("SET id=1 valve=heat on=1");
    EXPECT("NAK id=1 code=E_STATE"); /* before the first HELLO */
    send("PING id=2");
    EXPECT("NAK id=2 code=E_STATE"); /* the profile's command, before the first HELLO */
    fake_set_time(1234);
    send("HELLO id=3 proto=1");
    EXPECT("ID id=3 kind=toy fw=9.8.7 sn=TOY-1 proto=1 caps=o2,heat t=1234 boot=1 cal=0");
    send("PING id=4");
    EXPECT("ACK id=4");
    send("NOPE id=5");
    EXPECT("NAK id=5 code=E_UNKNOWN");

    /* SET: the profile's actuator names and per_cell, the board's output hook, the engine's cell range. */
    send("SET id=6 valve=heat on=1 cell=2");
    EXPECT("ACK id=6");
    CHECK_EQ_U(toy.out_calls, 1u);
    CHECK_EQ_U(toy.last_index, 1u); /* (2 - 1) * 1 + 0 */
    CHECK_EQ_U(toy.last_on, 1u);
    send("SET id=7 valve=heat on=1 cell=3");
    EXPECT("NAK id=7 code=E_ARG");
    send("SET id=8 valve=n2 on=1");
    EXPECT("NAK id=8 code=E_ARG"); /* the gasboard's names mean nothing here */
    toy_set_ok = 0;
    send("SET id=9 valve=heat on=0");
    EXPECT("NAK id=9 code=E_STATE");
    toy_set_ok = 1;
    CHECK_EQ_U(toy.out_calls, 1u);

    /* ST: the board's sensor timeouts and its extra field after ok and tx. */
    send("STATUS id=10");
    EXPECT("ST id=10 up=1234 boot=1 seq=0 ring=0 crc=0 syn=0 long=0 sto=42 wdt=0 drop=0 ok=10 tx=9 toy=7");
}

static void test_cal_through_the_board(void)
{
    start();
    fake_set_time(10000);
    send("HELLO id=1 proto=1");
    (void)fake_host_next_line();
    send("CAL id=2 gas=o2 point=zero ref=0");
    EXPECT("NAK id=2 code=E_SENSOR"); /* the board has no sample */
    toy.o2.valid = 1;
    toy.o2.value = 150; /* 1.50 kPa raw, within the board's zero limit of 3.00 */
    toy.o2.at_ms = 9000;
    send("CAL id=3 gas=o2 point=zero ref=0");
    EXPECT("ACK id=3 cal=1");
    CHECK_EQ_I(toy.engine.cal.gas[0].raw_zero, 150);
    CHECK_EQ_U(fake_eeprom()[200], 'C'); /* the record at the board's address */
    toy.o2.value = 500; /* 5.00 kPa: over the limit the board gave */
    send("CAL id=4 gas=o2 point=zero ref=0");
    EXPECT("NAK id=4 code=E_RANGE");
    toy.o2.at_ms = 4000; /* older than the engine's stale limit */
    send("CAL id=5 gas=o2 point=zero ref=0");
    EXPECT("NAK id=5 code=E_SENSOR");
}

static void test_ring_in_board_storage(void)
{
    uint32_t i;

    start();
    send("HELLO id=1 proto=1");
    (void)fake_host_next_line();
    CHECK_EQ_U(board_engine_idle_ms(&toy.engine), BOARD_ENGINE_IDLE_NONE);
    for (i = 1; i <= 6u; i++) {
        push(i * 1000u, (int16_t)(2000 + i));
    }
    CHECK_EQ_U(board_engine_idle_ms(&toy.engine), 0u); /* readings wait to go out live */
    board_engine_send(&toy.engine);
    /* Only four slots are the board's: 1 and 2 were overwritten before the link could take them, so the live
     * stream goes on from the oldest held. */
    EXPECT("RD seq=3 t=3000 o2=20.03 co2=NA temp=NA cell=1");
    EXPECT("RD seq=4 t=4000 o2=20.04 co2=NA temp=NA cell=1");
    EXPECT("RD seq=5 t=5000 o2=20.05 co2=NA temp=NA cell=1");
    EXPECT("RD seq=6 t=6000 o2=20.06 co2=NA temp=NA cell=1");
    CHECK(fake_host_next_line() == NULL);
    CHECK_EQ_U(toy.engine.ring.count, 4u);
    send("REPLAY id=2 from=1 to=6");
    EXPECT("RD seq=3 t=3000 o2=20.03 co2=NA temp=NA cell=1");
    EXPECT("RD seq=4 t=4000 o2=20.04 co2=NA temp=NA cell=1");
    EXPECT("RD seq=5 t=5000 o2=20.05 co2=NA temp=NA cell=1");
    EXPECT("RD seq=6 t=6000 o2=20.06 co2=NA temp=NA cell=1");
    EXPECT("ACK id=2 n=4 from=3 to=6");
    CHECK(fake_host_next_line() == NULL);
}

int main(void)
{
    test_identity_and_dispatch();
    test_cal_through_the_board();
    test_ring_in_board_storage();
    return check_done();
}
