// The Hummingbird application: built in buildApplication(configuration:).
