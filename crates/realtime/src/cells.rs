//! Geographic channels: events are published to the H3 cell holding them;
//! a subscriber with a radius listens to every cell its disk touches and
//! its server filters by exact distance.

use h3o::{CellIndex, LatLng, Resolution};

/// Resolution 3: cells of about 12,000 km² (edge ≈ 69 km), so France is
/// some sixty channels and a 500 km disk a few hundred at most.
const RESOLUTION: Resolution = Resolution::Three;

/// The cell an event at (lat, lon) is published to; None for coordinates
/// that are not a place.
pub fn cell_of(lat: f64, lon: f64) -> Option<CellIndex> {
    Some(LatLng::new(lat, lon).ok()?.to_cell(RESOLUTION))
}

/// Every cell that may hold a point within `radius_km` of (lat, lon): a
/// cell is kept when its centre is within the radius plus the cell's own
/// circumradius, which never misses one and rarely keeps one too many.
pub fn cells_covering(lat: f64, lon: f64, radius_km: f64) -> Vec<CellIndex> {
    let Ok(centre) = LatLng::new(lat, lon) else {
        return Vec::new();
    };
    let home = centre.to_cell(RESOLUTION);
    // A hexagon's circumradius is its edge length.
    let edge = circumradius(home).max(1.0);
    // Neighbouring centres are at least 1.5 edges apart; one ring more
    // absorbs the distortion of the projection.
    let k = ((radius_km + edge) / (1.5 * edge)).ceil() as u32 + 1;
    home.grid_disk::<Vec<_>>(k)
        .into_iter()
        .filter(|cell| centre.distance_km(LatLng::from(*cell)) <= radius_km + circumradius(*cell))
        .collect()
}

fn circumradius(cell: CellIndex) -> f64 {
    let c = LatLng::from(cell);
    cell.boundary()
        .iter()
        .map(|v| c.distance_km(*v))
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_covers_every_point_within_it() {
        // Marseille, then points on a 20 km and a 450 km circle around it.
        let (lat, lon) = (43.2965, 5.3698);
        for radius in [1.0, 20.0, 150.0, 450.0] {
            let cells = cells_covering(lat, lon, radius);
            for step in 0..72 {
                let bearing = f64::from(step) * 5.0_f64.to_radians();
                let d = radius * 0.999 / 6371.0;
                let (la, lo) = (lat.to_radians(), lon.to_radians());
                let lat2 = (la.sin() * d.cos() + la.cos() * d.sin() * bearing.cos()).asin();
                let lon2 = lo
                    + (bearing.sin() * d.sin() * la.cos()).atan2(d.cos() - la.sin() * lat2.sin());
                let cell = cell_of(lat2.to_degrees(), lon2.to_degrees()).expect("a place");
                assert!(
                    cells.contains(&cell),
                    "radius {radius}: bearing {step} missed"
                );
            }
        }
        assert!(cells_covering(lat, lon, 20.0).len() <= 19);
    }

    #[test]
    fn quimper_is_not_in_a_20_km_disk_around_marseille() {
        let cells = cells_covering(43.2965, 5.3698, 20.0);
        let quimper = cell_of(47.996, -4.102).expect("a place");
        assert!(!cells.contains(&quimper));
    }
}
