//! The features users see and the client states that decide them: [`Feature`] and
//! [`ClientState`], the maps keyed by them ([`PerFeature`], [`PerState`]: arrays with one
//! slot per variant, so their lengths are written nowhere), and the [`FeatureMatrix`] of
//! which state has which feature. Adding a feature starts here (see the crate docs).

use enum_map::{Enum, EnumMap};
use serde::Deserialize;

/// One value per feature, indexed by [`Feature`] (`map[Feature::Im]`); iterated in
/// [`Feature::ALL`] order (shard files store it as a plain array, `into_array`).
pub type PerFeature<T> = EnumMap<Feature, T>;

/// One value per client state, indexed by [`ClientState`]; iterated in [`ClientState::ALL`]
/// order.
pub type PerState<T> = EnumMap<ClientState, T>;

/// A user-facing feature; the order is the column order of every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Instant messaging.
    Im,
    /// Presence.
    Presence,
    /// Contact list.
    Contacts,
    /// Lync-to-Lync audio and video calls: a registrar (docs/model.md#features-per-client-state).
    Voice,
    /// Calls to and from the PSTN: a registrar and a running Mediation service in the serving
    /// pool (docs/model.md#mediation-and-pstn-calls).
    Pstn,
    /// Conferencing.
    Conferencing,
    /// Changing call-forwarding settings.
    CallForwardingChanges,
    /// Response Group service.
    ResponseGroups,
    /// Call Park.
    CallPark,
}

impl Feature {
    /// Number of features.
    pub const COUNT: usize = <Feature as Enum>::LENGTH;

    /// Every feature, in column order (the declaration order; a test checks it).
    pub const ALL: [Feature; Feature::COUNT] = [
        Feature::Im,
        Feature::Presence,
        Feature::Contacts,
        Feature::Voice,
        Feature::Pstn,
        Feature::Conferencing,
        Feature::CallForwardingChanges,
        Feature::ResponseGroups,
        Feature::CallPark,
    ];

    /// Column name.
    pub fn column(self) -> &'static str {
        match self {
            Feature::Im => "im",
            Feature::Presence => "presence",
            Feature::Contacts => "contacts",
            Feature::Voice => "voice",
            Feature::Pstn => "pstn",
            Feature::Conferencing => "conferencing",
            Feature::CallForwardingChanges => "call_forwarding_changes",
            Feature::ResponseGroups => "response_groups",
            Feature::CallPark => "call_park",
        }
    }
}

/// The state of a user's client, which decides its features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum)]
pub enum ClientState {
    /// Signed in to its healthy home pool.
    Full,
    /// Limited functionality: on the backup registrar, or home pool degraded.
    Resiliency,
    /// Served by the paired pool after a pool failover.
    FailedOver,
    /// Waiting in a pool's sign-in queue.
    SigningIn,
    /// No registrar serves it.
    Offline,
}

impl ClientState {
    /// Number of client states.
    pub const COUNT: usize = <ClientState as Enum>::LENGTH;

    /// Every state, in column order (the declaration order; a test checks it).
    pub const ALL: [ClientState; ClientState::COUNT] = [
        ClientState::Full,
        ClientState::Resiliency,
        ClientState::FailedOver,
        ClientState::SigningIn,
        ClientState::Offline,
    ];

    /// Column name.
    pub fn column(self) -> &'static str {
        match self {
            ClientState::Full => "full",
            ClientState::Resiliency => "resiliency",
            ClientState::FailedOver => "failed_over",
            ClientState::SigningIn => "signing_in",
            ClientState::Offline => "offline",
        }
    }
}

/// Which features each client state has (docs/model.md#features-per-client-state; overridable
/// in `features:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureMatrix {
    has: PerState<PerFeature<bool>>,
}

impl Default for FeatureMatrix {
    fn default() -> Self {
        use Feature::*;
        let mut m = FeatureMatrix { has: PerState::default() };
        m.set(ClientState::Full, &Feature::ALL);
        m.set(ClientState::Resiliency, &[Im, Voice, Pstn]);
        m.set(ClientState::FailedOver, &Feature::ALL);
        m
    }
}

impl FeatureMatrix {
    /// Replace the features of `state` (only `Full`, `Resiliency` and `FailedOver` have any).
    pub fn set(&mut self, state: ClientState, features: &[Feature]) {
        self.has[state] = PerFeature::default();
        for &f in features {
            self.has[state][f] = true;
        }
    }

    /// Whether a user in `state` has `feature`. For `FailedOver`, response groups further
    /// need the Response Group data on the serving pool; PSTN calls need a running Mediation
    /// service in the serving pool ([`super::Counts::with_feature`]).
    pub fn has(&self, state: ClientState, feature: Feature) -> bool {
        self.has[state][feature]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_variant_in_declaration_order() {
        // `ALL`'s length is the enum's, so a variant missing from it does not compile; a
        // variant listed twice or out of place fails here.
        for (i, f) in Feature::ALL.into_iter().enumerate() {
            assert_eq!((f.into_usize(), Feature::from_usize(i)), (i, f));
        }
        for (i, s) in ClientState::ALL.into_iter().enumerate() {
            assert_eq!((s.into_usize(), ClientState::from_usize(i)), (i, s));
        }
        let columns: std::collections::BTreeSet<_> = Feature::ALL.map(Feature::column).into();
        assert_eq!(columns.len(), Feature::COUNT, "column names are distinct");
    }

    #[test]
    fn default_matrix() {
        let m = FeatureMatrix::default();
        assert!(Feature::ALL
            .iter()
            .all(|&f| m.has(ClientState::Full, f) && m.has(ClientState::FailedOver, f)));
        let resiliency: Vec<Feature> =
            Feature::ALL.into_iter().filter(|&f| m.has(ClientState::Resiliency, f)).collect();
        assert_eq!(resiliency, [Feature::Im, Feature::Voice, Feature::Pstn]);
        assert!(!Feature::ALL
            .iter()
            .any(|&f| m.has(ClientState::SigningIn, f) || m.has(ClientState::Offline, f)));
    }
}
