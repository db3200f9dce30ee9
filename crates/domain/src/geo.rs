use crate::ValidationError;

/// Mean Earth radius in kilometres, as PostgreSQL's earthdistance uses it.
pub const EARTH_RADIUS_KM: f64 = 6_378.168;

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
}
