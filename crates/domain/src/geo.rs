use crate::ValidationError;

/// Mean Earth radius in kilometres, as PostgreSQL's earthdistance uses it.
pub const EARTH_RADIUS_KM: f64 = 6_378.168;

/// The side of the grid cells private addresses are rounded to, in km.
pub const COARSE_KM: f64 = 1.0;

/// A WGS 84 point with its ranges checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    pub fn parse(lat: f64, lon: f64) -> Result<Self, ValidationError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(ValidationError::new(
                "lat",
                "latitude must be between -90 and 90",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(ValidationError::new(
                "lon",
                "longitude must be between -180 and 180",
            ));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// The centre of the ~1 km cell of a fixed grid that holds the point:
    /// what is shown of a private address. The same point always gives
    /// the same centre, so asking again reveals nothing more; cells are
    /// about 1 km north-south and east-west at any latitude.
    pub fn coarse(&self) -> GeoPoint {
        const STEP_LAT: f64 = COARSE_KM / (EARTH_RADIUS_KM * std::f64::consts::PI / 180.0);
        let row = (self.lat / STEP_LAT).floor();
        let lat = ((row + 0.5) * STEP_LAT).clamp(-90.0, 90.0);
        // The band's own width east-west, from its centre latitude.
        let step_lon = (STEP_LAT / lat.to_radians().cos().max(0.01)).min(360.0);
        let lon = (((self.lon / step_lon).floor() + 0.5) * step_lon).clamp(-180.0, 180.0);
        GeoPoint { lat, lon }
    }

    /// Great-circle distance in kilometres (haversine, same sphere as
    /// earthdistance, so in-process filtering agrees with SQL).
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marseille_to_quimper_is_about_900_km() {
        let marseille = GeoPoint::parse(43.29695, 5.38107).unwrap();
        let quimper = GeoPoint::parse(47.99597, -4.09795).unwrap();
        let d = marseille.distance_km(&quimper);
        assert!((d - 903.0).abs() < 5.0, "{d}");
        assert_eq!(marseille.distance_km(&marseille), 0.0);
    }

    #[test]
    fn ranges_are_checked() {
        assert_eq!(GeoPoint::parse(91.0, 0.0).unwrap_err().field, "lat");
        assert_eq!(GeoPoint::parse(0.0, -180.5).unwrap_err().field, "lon");
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
        assert!(GeoPoint::parse(-90.0, 180.0).is_ok());
    }

    #[test]
    fn coarse_points_are_cell_centres_within_a_kilometre() {
        let flat = GeoPoint::parse(43.29695, 5.38107).unwrap();
        let c = flat.coarse();
        assert_ne!(c, flat);
        assert!(flat.distance_km(&c) < 0.75, "{}", flat.distance_km(&c));
        assert_eq!(c.coarse(), c, "a centre is its own cell's");
        // Neighbours in the same cell look the same.
        let next_door = GeoPoint::parse(c.lat() + 0.001, c.lon() - 0.002).unwrap();
        assert_eq!(next_door.coarse(), c);
        // Cells stay about 1 km wide in the north too.
        let lille = GeoPoint::parse(50.6292, 3.0573).unwrap();
        assert!(lille.distance_km(&lille.coarse()) < 0.75);
        let pole = GeoPoint::parse(89.9999, 179.9999).unwrap().coarse();
        assert!(GeoPoint::parse(pole.lat(), pole.lon()).is_ok());
    }
}
