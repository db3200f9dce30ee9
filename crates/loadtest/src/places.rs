//! Where the load happens: French cities, and distances between points.

/// Places events happen in (postcode and city resolve to one commune).
pub const CITIES: &[(&str, &str, f64, f64)] = &[
    ("Marseille", "13001", 43.2965, 5.3698),
    ("Toulouse", "31000", 43.6047, 1.4442),
    ("Nice", "06000", 43.7102, 7.2620),
    ("Nantes", "44000", 47.2184, -1.5536),
    ("Strasbourg", "67000", 48.5734, 7.7521),
    ("Montpellier", "34000", 43.6108, 3.8767),
    ("Bordeaux", "33000", 44.8378, -0.5792),
    ("Lille", "59000", 50.6292, 3.0573),
    ("Rennes", "35000", 48.1173, -1.6778),
    ("Reims", "51100", 49.2583, 4.0317),
    ("Quimper", "29000", 47.996, -4.102),
    ("Grenoble", "38000", 45.1885, 5.7245),
    ("Dijon", "21000", 47.322, 5.0415),
    ("Angers", "49000", 47.4784, -0.5632),
    ("Clermont-Ferrand", "63000", 45.7772, 3.087),
    ("Limoges", "87000", 45.8336, 1.2611),
    ("Tours", "37000", 47.3941, 0.6848),
    ("Rouen", "76000", 49.4432, 1.0999),
    ("Brest", "29200", 48.3904, -4.4861),
    ("Metz", "57000", 49.1193, 6.1757),
];

pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}
