"""Side effects that follow the device-model read models' writes."""
