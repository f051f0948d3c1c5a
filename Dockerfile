FROM scratch
ENTRYPOINT ["csms"]
