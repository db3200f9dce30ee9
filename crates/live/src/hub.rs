//! Live feeds for the subscribers of this server process.
//!
//! One pump per process follows the numbered activities (announced on the
//! bus, with a slow poll as a safety net for a silent bus) and asks
//! PostgreSQL, in ONE query per batch, what every local feed subscriber
//! receives of them: recipients are judged at delivery time, and an
//! activity is never written per recipient.
//!
//! A subscriber registers at the pump's watermark W: the pump delivers it
//! everything after W, and the subscriber replays (cursor, W] from the
//! database itself, so the seam has neither gap nor duplicate. A subscriber
//! too slow to take what the pump hands it is dropped by the pump and
//! re-registers, replaying what it missed: slowness costs a query, never an
//! item and never unbounded memory.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cortege_db::PgPool;
use cortege_db::feed::{self, FeedItem};
use cortege_realtime::{BusState, Channel, Message, SharedBus};
use futures_util::Stream;
use tokio::sync::{Mutex, mpsc};
use uuid::Uuid;

/// Items the pump may queue for one subscriber before dropping it.
const QUEUE: usize = 64;
/// Rows per replay query.
const REPLAY_PAGE: i64 = 500;
/// Most activities evaluated in one pump query.
const PUMP_SPAN: i64 = 1_000;
/// How often the pump looks at the sequence without being told: the bus
/// may be down, or a message lost.
const POLL: Duration = Duration::from_secs(2);

struct Registered {
    tx: mpsc::Sender<FeedItem>,
}

struct Inner {
    /// Every activity up to here has been handed to the subscribers
    /// registered at the time.
    watermark: i64,
    by_person: HashMap<Uuid, Vec<Registered>>,
}

pub struct FeedHub {
    pool: PgPool,
    inner: Mutex<Inner>,
}

impl FeedHub {
    /// Starts at the current end of the sequence and spawns the pump.
    pub async fn start(pool: PgPool, bus: SharedBus) -> Result<Arc<Self>, cortege_db::Error> {
        let watermark = feed::last_seq(&pool).await?;
        let hub = Arc::new(Self {
            pool,
            inner: Mutex::new(Inner {
                watermark,
                by_person: HashMap::new(),
            }),
        });
        tokio::spawn(pump(Arc::downgrade(&hub), bus));
        Ok(hub)
    }

    /// Registers a live subscriber; returns the watermark it starts after.
    async fn register(&self, person: Uuid) -> (i64, mpsc::Receiver<FeedItem>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut inner = self.inner.lock().await;
        inner
            .by_person
            .entry(person)
            .or_default()
            .push(Registered { tx });
        (inner.watermark, rx)
    }

    /// Evaluates and hands out every activity up to `target`. Holding the
    /// lock throughout keeps registrations out of a batch being evaluated.
    async fn advance(&self, target: i64) -> Result<(), cortege_db::Error> {
        let mut inner = self.inner.lock().await;
        inner.by_person.retain(|_, subs| {
            subs.retain(|s| !s.tx.is_closed());
            !subs.is_empty()
        });
        while inner.watermark < target {
            let from = inner.watermark;
            let upto = target.min(from + PUMP_SPAN);
            if !inner.by_person.is_empty() {
                let people: Vec<Uuid> = inner.by_person.keys().copied().collect();
                let items = feed::deliveries(&self.pool, &people, from, upto, i64::MAX).await?;
                for item in items {
                    if let Some(subs) = inner.by_person.get_mut(&item.person) {
                        // A full queue: drop the subscriber, it will replay.
                        subs.retain(|s| s.tx.try_send(item.clone()).is_ok());
                    }
                }
            }
            inner.watermark = upto;
        }
        Ok(())
    }

    /// The feed of `person`: with `after`, replays every activity after
    /// that sequence number, oldest first, then goes live; without, live
    /// from now on. Each item comes once, in sequence order.
    pub async fn subscribe(
        self: &Arc<Self>,
        person: Uuid,
        after: Option<i64>,
    ) -> impl Stream<Item = Result<FeedItem, cortege_db::Error>> + Send + use<> {
        // Registered now, not at the first poll: "live from now on" starts
        // when the client subscribed.
        let (watermark, rx) = self.register(person).await;
        let mut state = Follow {
            hub: self.clone(),
            person,
            cursor: after,
            phase: Phase::Register,
        };
        state.registered(watermark, rx);
        futures_util::stream::unfold(Some(state), |state| async move {
            let mut state = state?;
            match state.next().await {
                Ok(item) => Some((Ok(item), Some(state))),
                // The error ends the subscription; the client resumes
                // from its last cursor.
                Err(e) => Some((Err(e), None)),
            }
        })
    }
}

enum Phase {
    Register,
    Replay {
        upto: i64,
        rx: mpsc::Receiver<FeedItem>,
        buffer: std::collections::VecDeque<FeedItem>,
        exhausted: bool,
    },
    Live {
        rx: mpsc::Receiver<FeedItem>,
    },
}

struct Follow {
    hub: Arc<FeedHub>,
    person: Uuid,
    /// The last sequence number delivered; None until known ("from now").
    cursor: Option<i64>,
    phase: Phase,
}

impl Follow {
    fn registered(&mut self, watermark: i64, rx: mpsc::Receiver<FeedItem>) {
        let cursor = *self.cursor.get_or_insert(watermark);
        self.phase = if cursor < watermark {
            Phase::Replay {
                upto: watermark,
                rx,
                buffer: Default::default(),
                exhausted: false,
            }
        } else {
            Phase::Live { rx }
        };
    }

    async fn next(&mut self) -> Result<FeedItem, cortege_db::Error> {
        loop {
            match &mut self.phase {
                Phase::Register => {
                    let (watermark, rx) = self.hub.register(self.person).await;
                    self.registered(watermark, rx);
                }
                Phase::Replay {
                    upto,
                    rx,
                    buffer,
                    exhausted,
                } => {
                    let cursor = self.cursor.unwrap_or(*upto);
                    if let Some(item) = buffer.pop_front() {
                        self.cursor = Some(item.seq);
                        return Ok(item);
                    }
                    if *exhausted || cursor >= *upto {
                        self.cursor = Some(cursor.max(*upto));
                        let rx = std::mem::replace(rx, mpsc::channel(1).1);
                        self.phase = Phase::Live { rx };
                        continue;
                    }
                    let page = feed::deliveries(
                        &self.hub.pool,
                        &[self.person],
                        cursor,
                        *upto,
                        REPLAY_PAGE,
                    )
                    .await?;
                    *exhausted = (page.len() as i64) < REPLAY_PAGE;
                    buffer.extend(page);
                }
                Phase::Live { rx } => match rx.recv().await {
                    Some(item) if Some(item.seq) > self.cursor => {
                        self.cursor = Some(item.seq);
                        return Ok(item);
                    }
                    Some(_) => {}
                    // Dropped by the pump for lagging: catch up by replay.
                    None => self.phase = Phase::Register,
                },
            }
        }
    }
}

async fn pump(hub: std::sync::Weak<FeedHub>, bus: SharedBus) {
    let mut announcements = bus.subscribe(&[Channel::activities()]).await;
    let mut reconnections = bus.reconnections();
    let mut poll = tokio::time::interval(POLL);
    // In process, announcements cannot be lost: the relay is in this
    // process and publishes straight to the pump.
    let local = bus.state() == BusState::Local;
    loop {
        let announced = tokio::select! {
            m = announcements.recv() => match m.as_deref() {
                Ok(Message::Numbered { upto }) => Some(*upto),
                _ => None,
            },
            Ok(()) = reconnections.changed() => None,
            _ = poll.tick(), if !local => None,
        };
        // Announcements that queued while the last batch was evaluated: one
        // evaluation covers them all, so that under a burst the pump runs
        // as many queries as it has time for, not one per announcement.
        let announced = announced.map(|mut upto| {
            while let Some(Ok(m)) = announcements.try_recv() {
                if let Message::Numbered { upto: later } = *m {
                    upto = upto.max(later);
                }
            }
            upto
        });
        let Some(hub) = hub.upgrade() else { return };
        let target = match announced {
            Some(upto) => Ok(upto),
            None => feed::last_seq(&hub.pool).await,
        };
        let result = match target {
            Ok(target) => hub.advance(target).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "feed pump: evaluating activities failed; retrying");
            tokio::time::sleep(POLL).await;
        }
    }
}
